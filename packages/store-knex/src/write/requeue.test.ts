import { makeEvent, makeOutcome, makeResult } from "@hookline/core/testing";
import { expect, it } from "vitest";
import { useTestEnv } from "../__fixtures__/test-env.js";
import { describeTargets, testTargets } from "../testing/databases.js";

const targets = await testTargets();

describeTargets(targets, "requeue", (target) => {
  const env = useTestEnv(target, "rq");

  it("requeues 600 failed deliveries of one endpoint by filter, in batches, and nothing else", async () => {
    const { store } = env();
    const evs = Array.from({ length: 600 }, () =>
      makeEvent({ claim: { leaseMs: 60_000 }, endpoints: ["down", "up"] }),
    );
    await store.insertEvents(evs);
    await store.complete(
      evs.flatMap((ev) =>
        ev.deliveries.map((d) =>
          makeResult(
            {
              id: d.id,
              claimToken: d.claim!.token,
              attempts: 1,
              endpointId: d.endpointId,
              eventCode: ev.code,
            },
            makeOutcome(d.endpointId === "down" ? "retryable" : "success"),
            { status: d.endpointId === "down" ? "failed" : "succeeded" },
          ),
        ),
      ),
    );
    const other = makeEvent({ endpoints: ["down"] });
    await store.insertEvents([other]);
    expect(await store.requeue({ filter: { endpointId: ["down"], status: ["failed", "pending"] } })).toBe(
      600,
    );
    const pending = await store.listDeliveries({ status: ["pending"] }, { limit: 1000 });
    expect(pending.items).toHaveLength(601);
    expect(pending.items.every((d) => d.endpointId === "down")).toBe(true);
    const replayed = pending.items.find((d) => d.id === evs[0]!.deliveries[0]!.id)!;
    expect(replayed).toMatchObject({ attempts: 1, eventId: evs[0]!.id });
    expect(replayed.nextAttemptAt!.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
    expect(await store.requeue({ filter: { endpointId: ["down"] } })).toBe(0);
    const claimed = await store.claimDue({
      limit: 1000,
      leaseMs: 60_000,
      workerId: "w",
      endpointIds: ["down", "up"],
    });
    expect(claimed).toHaveLength(601);
    expect(claimed.find((c) => c.id === replayed.id)).toMatchObject({ attempts: 2, eventId: evs[0]!.id });
  });

  it("rejects malformed targets and filters", async () => {
    const { store } = env();
    await expect(store.requeue({ ids: "dlv_1" } as never)).rejects.toMatchObject({
      code: "HOOKLINE_INVALID_OPTION",
    });
    await expect(store.requeue({ filter: { status: ["lost"] } } as never)).rejects.toMatchObject({
      code: "HOOKLINE_INVALID_OPTION",
    });
    await expect(store.requeue({} as never)).rejects.toMatchObject({ code: "HOOKLINE_INVALID_OPTION" });
  });
});
