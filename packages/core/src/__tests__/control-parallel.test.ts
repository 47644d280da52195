import { describe, expect, it, vi } from "vitest";
import type { AttemptResult, DeliveryStore } from "../contracts/store.js";
import { createHookline } from "../hookline.js";
import { memoryStore } from "../memory/memory-store.js";
import { memoryTransport } from "../memory/memory-transport.js";
import { claimOf } from "../testing/conformance/helpers.js";
import { makeEvent, makeOutcome, makeResult } from "../testing/fixtures.js";
import { memoryReceiver } from "../testing/receiver.js";
import { controlPlugin, endpoint } from "./control-fixtures.js";

const BREAKER = { failureThreshold: 1, cooldownMs: 300, maxCooldownMs: 600_000 };

/**
 * Ways another process leaves endpoint `a` held in the store, unknown to this one: a failure
 * that opens its circuit, or a 429 that pauses it. Either ends after about 300 ms.
 */
const holds: readonly [string, (r: AttemptResult) => AttemptResult][] = [
  ["circuit opened", (r) => r],
  [
    "paused by a 429",
    (r) => ({
      ...r,
      outcome: makeOutcome("retryable", { status: 429, retryAfterMs: BREAKER.cooldownMs }),
    }),
  ],
];

/** Another process's attempt to `a`, recorded as failed for good (so it is never sent again). */
async function holdBehindTheEmittersBack(store: DeliveryStore, shape: (r: AttemptResult) => AttemptResult) {
  const ev = makeEvent({ code: "pinged", subject: null, endpoints: ["a"], claim: { leaseMs: 60_000 } });
  await store.insertEvents([ev]);
  const failed = shape(makeResult(claimOf(ev), makeOutcome("retryable"), { status: "failed" }));
  await store.complete([failed], { controls: [{ endpointId: "a", breaker: BREAKER }] });
}

describe("parallel mode: an endpoint the store holds back", () => {
  it.each(holds)(
    "%s in the store: emit() sends nothing, the worker sends it once the store allows, every request is a recorded attempt",
    async (_name, shape) => {
      const receiver = memoryReceiver();
      const store = memoryStore();
      const hooks = createHookline({
        plugins: [controlPlugin()],
        endpoints: [endpoint(receiver.baseUrl, "a", { circuitBreaker: BREAKER })],
        store,
        transport: memoryTransport({ receiver }),
        mode: "parallel",
        worker: { pollIntervalMs: 50 },
      });
      try {
        // The first emit reads the endpoint states: all clear, and this instance keeps that view.
        const warm = await hooks.emit("pinged", { n: 0 }, { wait: "attempted" });
        expect(warm.attempts).toMatchObject([{ recorded: true }]);
        await holdBehindTheEmittersBack(store, shape);

        const r = await hooks.emit("pinged", { n: 1 }, { wait: "attempted" });
        expect(r.attempts).toEqual([]);
        const id = r.deliveries[0]!.id;
        expect(await hooks.store.getDelivery(id)).toMatchObject({ status: "pending", attempts: 0 });
        expect(receiver.requests.map((q) => JSON.parse(q.body).n)).toEqual([0]);

        await hooks.start();
        await vi.waitFor(async () => expect((await hooks.store.getDelivery(id))?.status).toBe("succeeded"), {
          timeout: 5_000,
        });
        const attempts = await Promise.all(
          [warm, r].map(async (e) => (await hooks.store.getDelivery(e.deliveries[0]!.id))?.attempts),
        );
        // stop() waits for anything still on its way.
        await hooks.stop();
        expect(receiver.requests.map((q) => JSON.parse(q.body).n)).toEqual([0, 1]);
        expect(attempts).toEqual([1, 1]);
      } finally {
        await hooks.stop();
      }
    },
  );
});
