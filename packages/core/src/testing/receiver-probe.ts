import type { TestReceiver } from "./receiver.js";
import type { SinkMessage, SinkProbe } from "./sink-conformance.js";

/**
 * A SinkProbe over an HTTP-shaped TestReceiver (a real one or memoryReceiver()): each destination
 * is a fresh path, a stalled destination answers only after 10 s. `close()` closes the receiver.
 */
export function receiverProbe(receiver: TestReceiver, unreachableUrl?: () => string): SinkProbe {
  let n = 0;
  return {
    async destination() {
      const path = `/sink-${++n}`;
      return {
        url: receiver.url(path),
        async received(eventId, opts = {}): Promise<SinkMessage> {
          const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
          for (;;) {
            const hit = receiver.requests.find((r) => r.path === path && r.headers["webhook-id"] === eventId);
            if (hit !== undefined) return { body: hit.body, headers: hit.headers };
            if (Date.now() > deadline) throw new Error(`receiver: no request for ${eventId} on ${path}`);
            await new Promise((r) => setTimeout(r, 10));
          }
        },
        cleanup: async () => {},
      };
    },
    async stalled() {
      const path = `/stalled-${++n}`;
      receiver.on(path, { status: 200, delayMs: 10_000 });
      return { url: receiver.url(path), cleanup: async () => {} };
    },
    ...(unreachableUrl === undefined ? {} : { unreachableUrl }),
    close: () => receiver.close(),
  };
}
