import { createHookline, defineEvent, definePlugin, memoryStore, verify } from "@hookline/core";
import { TEST_SECRET, until } from "@hookline/core/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { natsTransport } from "../nats-transport.js";
import { describeNats, headersOf, NATS_SERVER, StreamAdmin, type TestStream } from "./nats-harness.js";

const anything = {
  "~standard": { version: 1, vendor: "test", validate: (value: unknown) => ({ value }) },
} as const;
const ping = defineEvent({ code: "ping", description: "A ping.", schema: anything });
const plugin = () => definePlugin({ name: "pings", events: [ping] as const });

await describeNats("natsTransport end to end: an admin replay reaches the stream again", () => {
  let admin: StreamAdmin;
  let stream: TestStream;
  beforeAll(async () => {
    admin = await StreamAdmin.open();
    stream = await admin.stream("replay");
  });
  afterAll(async () => {
    await stream?.delete();
    await admin?.close();
  });

  it("emit → stored once; hooks.replay → stored again under <deliveryId>:1, inside the duplicate window", async () => {
    const store = memoryStore();
    const hooks = createHookline({
      plugins: [plugin()],
      endpoints: [
        {
          id: "stream",
          url: `nats://${NATS_SERVER.host}:${NATS_SERVER.port}/${stream.subject}`,
          events: "*",
          secret: TEST_SECRET,
        },
      ],
      store,
      transport: natsTransport({ timeoutMs: 5_000 }),
      worker: { pollIntervalMs: 50 },
    });
    await hooks.start();
    try {
      const emitted = await hooks.emit("ping", { n: 1 }, { wait: "attempted" });
      expect(emitted.attempts?.map((a) => a.outcome.kind)).toEqual(["success"]);
      const deliveryId = emitted.deliveries[0]!.id;
      expect((await stream.messages()).map((m) => headersOf(m)["nats-msg-id"])).toEqual([`${deliveryId}:0`]);

      expect(await hooks.replay([deliveryId])).toBe(1);
      await until(async () => (await store.getDelivery(deliveryId))?.attemptLog.length === 2, {
        timeoutMs: 10_000,
        what: "the replay's attempt recorded",
      });
      const delivery = await store.getDelivery(deliveryId);
      expect(delivery).toMatchObject({ status: "succeeded", attempts: 2, replays: 1 });
      // The default duplicate window is 2 minutes: under the first send's message id the stream
      // would answer `duplicate: true` and keep one message.
      const replayAck = JSON.parse(delivery?.attemptLog[1]?.responseBody ?? "null");
      expect(replayAck).toMatchObject({ stream: stream.name, seq: 2, duplicate: false });

      const stored = await stream.messages();
      expect(stored.map((m) => headersOf(m)["nats-msg-id"])).toEqual([`${deliveryId}:0`, `${deliveryId}:1`]);
      // Same webhook-id and body, a fresh signature: both verify.
      for (const m of stored) {
        const verified = verify({ body: m.string(), headers: headersOf(m), secret: TEST_SECRET });
        expect(verified.id).toBe(emitted.eventId);
      }
      expect(stored[1]!.string()).toBe(stored[0]!.string());
    } finally {
      await hooks.stop();
    }
  });
});
