import { expect, it } from "vitest";
import { makeOutcome, makeResult } from "../fixtures.js";
import { type ConformanceContext, claimOf } from "./helpers.js";
import { claimAll, detail, idOf, idsOf, subjectEvents } from "./subject-events.js";

/**
 * Ordering at the insert: emit() inserts a delivery claimed so it can send the first attempt
 * itself; an ordered one with an earlier unfinished delivery of its subject goes in pending
 * instead (InsertReport.unclaimed), for a worker to claim in turn.
 */
export function demotionCases(ctx: ConformanceContext): void {
  it("demotion: a claimed ordered insert behind an unfinished earlier one goes in pending, unclaimed, no attempt counted", async () => {
    const store = ctx.store();
    const at = subjectEvents();
    const a = at(0, { ordered: true, claim: true });
    expect((await store.insertEvents([a])).unclaimed?.size ?? 0).toBe(0);
    const b = at(1, { ordered: true, claim: true });
    const report = await store.insertEvents([b]);
    expect([...(report.unclaimed ?? [])]).toEqual([idOf(b)]);
    expect(await detail(store, idOf(b))).toMatchObject({
      status: "pending",
      attempts: 0,
      waitingFor: idOf(a),
    });
    // The emitter's claim token no longer holds it: its completion would be stale.
    const zombie = await store.complete([
      makeResult(claimOf(b), makeOutcome("success"), { status: "succeeded" }),
    ]);
    expect(zombie.applied).toEqual([]);
    expect(await claimAll(store)).toEqual([]);

    await store.complete([makeResult(claimOf(a), makeOutcome("success"), { status: "succeeded" })]);
    const claimed = await claimAll(store);
    expect(claimed.map((c) => [c.id, c.attempts])).toEqual([[idOf(b), 1]]);
  });

  it("demotion: within one batch the later claimed ordered delivery of a subject waits; other subjects and unordered ones keep their claim", async () => {
    const store = ctx.store();
    const at = subjectEvents();
    const first = at(0, { ordered: true, claim: true });
    const second = at(1, { ordered: true, claim: true });
    const other = at(2, { ordered: true, claim: true, subject: "s2" });
    const plain = [at(3, { claim: true }), at(4, { claim: true })];
    const report = await store.insertEvents([second, other, first, ...plain]);
    expect([...(report.unclaimed ?? [])]).toEqual([idOf(second)]);
    expect((await detail(store, idOf(first))).status).toBe("sending");
    expect((await detail(store, idOf(other))).status).toBe("sending");
    for (const ev of plain) expect((await detail(store, idOf(ev))).status).toBe("sending");
    expect(await detail(store, idOf(second))).toMatchObject({ status: "pending", attempts: 0 });
  });

  it("demotion: an unordered claimed insert, or one whose earlier deliveries all finished, keeps its claim", async () => {
    const store = ctx.store();
    const at = subjectEvents();
    const done = at(0, { ordered: true, claim: true });
    const failed = at(1, { ordered: true, claim: true, endpoints: ["ep-b"] });
    await store.insertEvents([done]);
    await store.insertEvents([failed]);
    await store.complete([
      makeResult(claimOf(done), makeOutcome("success"), { status: "succeeded" }),
      makeResult(claimOf(failed), makeOutcome("permanent"), { status: "failed" }),
    ]);
    const pending = at(2, { endpoints: ["ep-a"] });
    await store.insertEvents([pending]);
    // Unordered, behind a pending delivery of its subject: not held.
    const unordered = at(3, { claim: true });
    const next = at(4, { ordered: true, claim: true, endpoints: ["ep-b"] });
    const report = await store.insertEvents([unordered, next]);
    expect(report.unclaimed?.size ?? 0).toBe(0);
    expect(idsOf(await claimAll(store))).toEqual([idOf(pending)]);
  });
}
