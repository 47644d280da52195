import type { AttemptResult, DeliveryStore } from "@hookline/core";
import { makeEvent, makeOutcome, makeResult } from "@hookline/core/testing";
import { expect, it, vi } from "vitest";
import { useTestEnv } from "../__fixtures__/test-env.js";
import { testHooks } from "../__fixtures__/test-hooks.js";
import { describeTargets, testTargets } from "../testing/databases.js";

const targets = await testTargets();

const BREAKER = { failureThreshold: 1, cooldownMs: 300, maxCooldownMs: 600_000 };

/** Ways another process leaves endpoint `a` held: its circuit opened, or paused by a 429. */
const holds: readonly [string, (r: AttemptResult) => AttemptResult][] = [
  ["circuit opened", (r) => r],
  [
    "paused by a 429",
    (r) => ({ ...r, outcome: makeOutcome("retryable", { status: 429, retryAfterMs: BREAKER.cooldownMs }) }),
  ],
];

/** Another process's attempt to `a`, recorded as failed for good (so it is never sent again). */
async function holdFrom(other: DeliveryStore, shape: (r: AttemptResult) => AttemptResult): Promise<void> {
  const ev = makeEvent({ code: "ping", subject: null, endpoints: ["a"], claim: { leaseMs: 60_000 } });
  await other.insertEvents([ev]);
  const d = ev.deliveries[0]!;
  const claim = { id: d.id, claimToken: d.claim!.token, attempts: 1, endpointId: "a", eventCode: ev.code };
  const failed = shape(makeResult(claim, makeOutcome("retryable"), { status: "failed" }));
  await other.complete([failed], { controls: [{ endpointId: "a", breaker: BREAKER }] });
}

describeTargets(targets, "parallel mode and an endpoint another process holds", (target) => {
  const env = useTestEnv(target, "ph");

  it.each(holds)(
    "%s: emit() sends nothing, the worker sends it once the store allows, every request is a recorded attempt",
    async (_name, shape) => {
      const { hooks, receiver } = testHooks(
        env().store,
        { pollIntervalMs: 50 },
        { mode: "parallel", endpoint: { circuitBreaker: BREAKER } },
      );
      const sent = () => receiver.requests.map((q) => (JSON.parse(q.body) as { n: number }).n);
      try {
        // The first emit reads the endpoint states (all clear); this instance keeps that view.
        const warm = await hooks.emit("ping", { n: 0 }, { wait: "attempted" });
        expect(warm.attempts).toMatchObject([{ recorded: true }]);
        await holdFrom(await env().open(), shape);

        const r = await hooks.emit("ping", { n: 1 }, { wait: "attempted" });
        expect(r.attempts).toEqual([]);
        const id = r.deliveries[0]!.id;
        expect(await hooks.store.getDelivery(id)).toMatchObject({ status: "pending", attempts: 0 });
        expect(sent()).toEqual([0]);

        await hooks.start();
        await vi.waitFor(async () => expect((await hooks.store.getDelivery(id))?.status).toBe("succeeded"), {
          timeout: 5_000,
        });
        const attempts = await Promise.all(
          [warm, r].map(async (e) => (await hooks.store.getDelivery(e.deliveries[0]!.id))?.attempts),
        );
        // stop() waits for anything still on its way (and closes the store).
        await hooks.stop();
        expect(sent()).toEqual([0, 1]);
        expect(attempts).toEqual([1, 1]);
      } finally {
        await hooks.stop();
      }
    },
  );
});
