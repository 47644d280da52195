import { expect, it } from "vitest";
import { makeEvent, makeOutcome, makeResult, wait } from "../fixtures.js";
import { type ConformanceContext, claimOf, HOUR } from "./helpers.js";

/**
 * Several processes with different endpoint lists on one log (a rolling deploy, or services
 * sharing it): each claims only its own endpoints' rows, and the others' backlog stays visible.
 */
export function endpointFilterCases(ctx: ConformanceContext): void {
  const { leaseMs } = ctx;
  const claim = (endpointIds: readonly string[], limit = 10) =>
    ctx.store().claimDue({ limit, leaseMs: 60_000, workerId: "w", endpointIds });

  it("claimDue takes only the given endpoints' rows: others' pending and expired-lease rows stay put", async () => {
    const store = ctx.store();
    // Theirs are due first and leased first, so a claim that filtered after its LIMIT would miss.
    const theirs = [1, 2, 3].map(() => makeEvent({ endpoints: ["ep-b"] }));
    const theirLeased = makeEvent({ endpoints: ["ep-b"], claim: { leaseMs } });
    await store.insertEvents([...theirs, theirLeased]);
    await wait(20);
    const mine = makeEvent({ endpoints: ["ep-a"] });
    const myLeased = makeEvent({ endpoints: ["ep-a"], claim: { leaseMs } });
    await store.insertEvents([mine, myLeased]);
    await wait(leaseMs + 150);

    expect(await claim([])).toEqual([]);
    const first = await claim(["ep-a", "ep-c"], 1);
    const second = await claim(["ep-a", "ep-c"], 1);
    // Expired leases first, then pending by due time, as with every claim.
    expect([first[0]?.id, second[0]?.id]).toEqual([myLeased.deliveries[0]!.id, mine.deliveries[0]!.id]);
    expect(await claim(["ep-a", "ep-c"])).toEqual([]);
    for (const ev of theirs)
      expect(await store.getDelivery(ev.deliveries[0]!.id)).toMatchObject({ status: "pending", attempts: 0 });
    expect(await store.getDelivery(theirLeased.deliveries[0]!.id)).toMatchObject({
      status: "sending",
      attempts: 1,
    });

    const others = await claim(["ep-b"]);
    expect(others.map((c) => c.id)).toEqual([
      theirLeased.deliveries[0]!.id,
      ...theirs.map((ev) => ev.deliveries[0]!.id),
    ]);
    expect(others.map((c) => c.endpointId)).toEqual(["ep-b", "ep-b", "ep-b", "ep-b"]);
  });

  it("endpointHealth lists an endpoint that only has pending deliveries, with its backlog", async () => {
    const store = ctx.store();
    const now = Date.now();
    const waiting = [3, 2, 1].map((h) =>
      makeEvent({ endpoints: ["ep-x"], createdAt: new Date(now - h * HOUR) }),
    );
    const sent = makeEvent({ endpoints: ["ep-a"], claim: { leaseMs: 60_000 } });
    const queued = makeEvent({ endpoints: ["ep-a"], createdAt: new Date(now - HOUR) });
    const off = makeEvent({ endpoints: ["ep-off"] });
    await store.insertEvents([
      ...waiting,
      sent,
      queued,
      { ...off, deliveries: [{ ...off.deliveries[0]!, cancelled: true }] },
    ]);
    await store.complete([makeResult(claimOf(sent), makeOutcome("success"), { status: "succeeded" })]);
    const health = await store.endpointHealth({
      since: new Date(now - 4 * HOUR),
      until: new Date(now + HOUR),
    });
    // ep-off has neither attempts nor a backlog: nothing to show.
    expect(health.map((h) => h.endpointId)).toEqual(["ep-a", "ep-x"]);
    expect(health[0]).toMatchObject({ attemptsInRange: 1, pending: 1 });
    expect(health[0]?.oldestPendingAt?.getTime()).toBe(now - HOUR);
    expect(health[1]).toEqual({
      endpointId: "ep-x",
      successRate: null,
      attemptsInRange: 0,
      consecutiveFailures: 0,
      lastSuccessAt: null,
      lastFailureAt: null,
      failingSince: null,
      pending: 3,
      oldestPendingAt: new Date(now - 3 * HOUR),
    });
  });
}
