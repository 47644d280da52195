import { expect, it } from "vitest";
import type { InsertReport, NewEvent } from "../../contracts/store.js";
import { makeOutcome, makeResult } from "../fixtures.js";
import { type ConformanceContext, claimOf } from "./helpers.js";
import { claimAll, detail, idOf, idsOf, subjectEvents } from "./subject-events.js";

/**
 * Ordering at the insert: emit() inserts a delivery claimed so it can send the first attempt
 * itself; an ordered one with an earlier unfinished delivery of its subject goes in pending
 * instead (InsertReport.unclaimed), for a worker to claim in turn, unless everything ahead of it
 * is sending under its own claimer (InsertReport.queued).
 */
/** InsertReport.queued as delivery id → the sorted ids of the claims ahead. */
const aheadOf = (queued: InsertReport["queued"]) =>
  new Map([...(queued ?? [])].map(([id, refs]) => [id, refs.map((r) => r.deliveryId).sort()]));

/** The claim an event's first delivery was inserted with. */
const claimRefOf = (ev: NewEvent) => ({
  deliveryId: idOf(ev),
  claimToken: ev.deliveries[0]!.claim!.token,
});

export function demotionCases(ctx: ConformanceContext): void {
  it("demotion: a claimed ordered insert behind an earlier one another claimer is sending goes in pending, unclaimed, no attempt counted", async () => {
    const store = ctx.store();
    const at = subjectEvents();
    const a = at(0, { ordered: true, claim: true });
    expect((await store.insertEvents([a])).unclaimed?.size ?? 0).toBe(0);
    const b = at(1, { ordered: true, claim: "other-emitter" });
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
    const second = at(1, { ordered: true, claim: "other-emitter" });
    const other = at(2, { ordered: true, claim: true, subject: "s2" });
    const plain = [at(3, { claim: true }), at(4, { claim: true })];
    const report = await store.insertEvents([second, other, first, ...plain]);
    expect([...(report.unclaimed ?? [])]).toEqual([idOf(second)]);
    expect((await detail(store, idOf(first))).status).toBe("sending");
    expect((await detail(store, idOf(other))).status).toBe("sending");
    for (const ev of plain) expect((await detail(store, idOf(ev))).status).toBe("sending");
    expect(await detail(store, idOf(second))).toMatchObject({ status: "pending", attempts: 0 });
  });

  it("demotion: within one batch a claimed ordered delivery behind an unclaimed one of its subject goes in pending too", async () => {
    const store = ctx.store();
    const at = subjectEvents();
    const unclaimed = at(0, { ordered: true });
    const claimed = at(1, { ordered: true, claim: true });
    const elsewhere = at(2, { ordered: true, claim: true, subject: "s2" });
    const report = await store.insertEvents([claimed, elsewhere, unclaimed]);
    expect([...(report.unclaimed ?? [])]).toEqual([idOf(claimed)]);
    expect(report.queued?.size ?? 0).toBe(0);
    expect(await detail(store, idOf(claimed))).toMatchObject({
      status: "pending",
      attempts: 0,
      waitingFor: idOf(unclaimed),
    });
    expect((await detail(store, idOf(elsewhere))).status).toBe("sending");
    expect(idsOf(await claimAll(store))).toEqual([idOf(unclaimed)]);
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

  it("queued: a claimed ordered insert whose earlier unfinished ones its own claimer is sending stays claimed, queued behind those claims", async () => {
    const store = ctx.store();
    const at = subjectEvents();
    const a = at(0, { ordered: true, claim: true });
    const b = at(1, { ordered: true, claim: true });
    await store.insertEvents([a]);
    // b in a later insert, c and d in one batch: each waits for every claim ahead of it.
    const first = await store.insertEvents([b]);
    expect(first.unclaimed?.size ?? 0).toBe(0);
    expect(aheadOf(first.queued)).toEqual(new Map([[idOf(b), [idOf(a)]]]));
    expect(first.queued?.get(idOf(b))).toEqual([claimRefOf(a)]);
    const [c, d] = [at(2, { ordered: true, claim: true }), at(3, { ordered: true, claim: true })];
    const second = await store.insertEvents([d, c]);
    expect(aheadOf(second.queued)).toEqual(
      new Map([
        [idOf(c), [idOf(a), idOf(b)].sort()],
        [idOf(d), [idOf(a), idOf(b), idOf(c)].sort()],
      ]),
    );
    for (const ev of [b, c, d])
      expect(await detail(store, idOf(ev))).toMatchObject({ status: "sending", attempts: 1 });
    // No other claimer takes them, nor anything later of the subject.
    const e = at(4, { ordered: true });
    await store.insertEvents([e]);
    expect(await claimAll(store)).toEqual([]);
    // Their claimer sends them in turn; each completion applies.
    for (const ev of [a, b, c, d]) {
      const report = await store.complete([
        makeResult(claimOf(ev), makeOutcome("success"), { status: "succeeded" }),
      ]);
      expect(report.applied).toEqual([idOf(ev)]);
    }
    expect(idsOf(await claimAll(store))).toEqual([idOf(e)]);
  });

  it("queued: behind a pending one, or behind one of its claimer and one of another, it goes in pending", async () => {
    const store = ctx.store();
    const at = subjectEvents();
    const waiting = at(0, { ordered: true });
    const mine = at(1, { ordered: true, claim: true, subject: "s2" });
    const theirs = at(2, { ordered: true, claim: "other-emitter", subject: "s2" });
    await store.insertEvents([waiting, mine]);
    await store.insertEvents([theirs]);
    const behindPending = at(3, { ordered: true, claim: true });
    const behindBoth = at(4, { ordered: true, claim: true, subject: "s2" });
    const report = await store.insertEvents([behindPending, behindBoth]);
    expect(report.queued?.size ?? 0).toBe(0);
    expect(idsOf([...(report.unclaimed ?? [])].map((id) => ({ id })))).toEqual(
      idsOf([behindPending, behindBoth].map((e) => ({ id: idOf(e) }))),
    );
  });

  it("queued: if its claimer dies, its expired lease is claimed only after the one ahead has ended", async () => {
    const store = ctx.store();
    const at = subjectEvents();
    const lease = Math.max(ctx.leaseMs, 1_000);
    const claimed = (ev: ReturnType<typeof at>) => ({
      ...ev,
      deliveries: ev.deliveries.map((d) => ({ ...d, claim: { ...d.claim!, leaseMs: lease } })),
    });
    const [a, b] = [
      claimed(at(0, { ordered: true, claim: true })),
      claimed(at(1, { ordered: true, claim: true })),
    ];
    await store.insertEvents([a]);
    expect(aheadOf((await store.insertEvents([b])).queued)).toEqual(new Map([[idOf(b), [idOf(a)]]]));
    await new Promise((r) => setTimeout(r, lease + 50));
    const again = await claimAll(store);
    expect(again.map((c) => c.id)).toEqual([idOf(a)]);
    await store.complete([makeResult(again[0]!, makeOutcome("success"), { status: "succeeded" })]);
    expect((await claimAll(store)).map((c) => c.id)).toEqual([idOf(b)]);
  });
}
