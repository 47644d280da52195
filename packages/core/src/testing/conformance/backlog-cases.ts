import { expect, it } from "vitest";
import type { NewEvent } from "../../contracts/store.js";
import { makeEvent, makeOutcome, makeResult, wait } from "../fixtures.js";
import { type ConformanceContext, claimOf, HOUR } from "./helpers.js";

/**
 * backlog(): due work per endpoint, as the backlog gauges read it. Only pending deliveries whose
 * next attempt is due count; sending, terminal and later retries do not.
 */
export function backlogCases(ctx: ConformanceContext): void {
  const claimed = (endpoints: string[]) => makeEvent({ endpoints, claim: { leaseMs: 60_000 } });
  // The contract names no order: compare by endpoint.
  const backlog = async () =>
    [...(await ctx.store().backlog())].sort((a, b) => (a.endpointId < b.endpointId ? -1 : 1));
  const nextAttemptAt = async (ev: NewEvent, i = 0) =>
    (await ctx.store().getDelivery(ev.deliveries[i]!.id))?.nextAttemptAt;

  it("backlog() is empty when nothing is due: no deliveries, or only sending, terminal and later ones", async () => {
    const store = ctx.store();
    expect(await backlog()).toEqual([]);
    const sending = claimed(["ep-a"]);
    const done = claimed(["ep-a"]);
    const later = claimed(["ep-b"]);
    const off = makeEvent({ endpoints: ["ep-b"] });
    await store.insertEvents([
      sending,
      done,
      later,
      { ...off, deliveries: [{ ...off.deliveries[0]!, cancelled: true }] },
    ]);
    await store.complete([
      makeResult(claimOf(done), makeOutcome("success"), { status: "succeeded" }),
      makeResult(claimOf(later), makeOutcome("retryable"), { status: "pending", delayMs: HOUR }),
    ]);
    expect(await backlog()).toEqual([]);
  });

  it("backlog() counts due pending deliveries per endpoint, with the earliest next attempt as oldestDueAt", async () => {
    const store = ctx.store();
    // Created first but due last: the oldest due time is not the oldest creation time.
    const retried = claimed(["ep-a"]);
    await store.insertEvents([retried]);
    await wait(20);
    const both = makeEvent({ endpoints: ["ep-a", "ep-b"] });
    await store.insertEvents([both]);
    await wait(20);
    const later = claimed(["ep-a", "ep-b"]);
    const sending = claimed(["ep-a", "ep-b"]);
    const done = claimed(["ep-b"]);
    const fresh = makeEvent({ endpoints: ["ep-a"] });
    await store.insertEvents([later, sending, done, fresh]);
    await store.complete([
      makeResult(claimOf(retried), makeOutcome("retryable"), { status: "pending", delayMs: 0 }),
      makeResult(claimOf(later, 0), makeOutcome("retryable"), { status: "pending", delayMs: HOUR }),
      makeResult(claimOf(later, 1), makeOutcome("retryable"), { status: "pending", delayMs: HOUR }),
      makeResult(claimOf(done), makeOutcome("permanent"), { status: "failed" }),
    ]);
    const bothA = await nextAttemptAt(both, 0);
    expect(await nextAttemptAt(retried)).toBeInstanceOf(Date);
    expect((await nextAttemptAt(retried))!.getTime()).toBeGreaterThan(bothA!.getTime());

    expect(await backlog()).toEqual([
      { endpointId: "ep-a", due: 3, oldestDueAt: bothA },
      { endpointId: "ep-b", due: 1, oldestDueAt: await nextAttemptAt(both, 1) },
    ]);

    // Claiming takes the due rows out; the later retries stay scheduled and do not count.
    await store.claimDue({ limit: 100, leaseMs: 60_000, workerId: "w", endpointIds: ["ep-b"] });
    expect(await backlog()).toEqual([{ endpointId: "ep-a", due: 3, oldestDueAt: bothA }]);
    await store.claimDue({ limit: 100, leaseMs: 60_000, workerId: "w", endpointIds: ["ep-a"] });
    expect(await backlog()).toEqual([]);
  });
}
