import { expect, it } from "vitest";
import type { EndpointControl } from "../../contracts/delivery-control.js";
import type { ClaimedDelivery, NextState } from "../../contracts/store.js";
import { makeOutcome, makeResult } from "../fixtures.js";
import { until } from "../until.js";
import { type ConformanceContext, claimOf, HOUR } from "./helpers.js";
import { claimAll, detail, idOf, idsOf, subjectEvents } from "./subject-events.js";

/**
 * Ordering by subject at the claim: a pending ordered delivery is claimed only when no delivery
 * of its endpoint and subject created before it (created time, then id) is pending or sending.
 */
export function orderingCases(ctx: ConformanceContext): void {
  const finish = (c: ClaimedDelivery, next: NextState) =>
    ctx
      .store()
      .complete([makeResult(c, makeOutcome(next.status === "succeeded" ? "success" : "retryable"), next)]);

  it("ordering: claims one delivery of an ordered subject at a time, in emit order, whatever the insert order", async () => {
    const store = ctx.store();
    const at = subjectEvents();
    const [a, b, c] = [at(0, { ordered: true }), at(1, { ordered: true }), at(2, { ordered: true })];
    await store.insertEvents([c]);
    await store.insertEvents([b, a]);
    for (const ev of [a, b, c]) {
      const claimed = await claimAll(store);
      expect(idsOf(claimed)).toEqual([idOf(ev)]);
      expect(await claimAll(store)).toEqual([]);
      await finish(claimed[0]!, { status: "succeeded" });
    }
    expect(await claimAll(store)).toEqual([]);
  });

  it("ordering: created-time ties go by id", async () => {
    const store = ctx.store();
    const at = subjectEvents();
    const [x, y] = [at(5, { ordered: true }), at(5, { ordered: true })].sort((p, q) =>
      idOf(p) < idOf(q) ? -1 : 1,
    );
    await store.insertEvents([y!, x!]);
    expect(idsOf(await claimAll(store))).toEqual([idOf(x!)]);
  });

  it("ordering: other subjects, other endpoints and unordered deliveries flow beside a held one", async () => {
    const store = ctx.store();
    const at = subjectEvents();
    const s1 = [at(0, { ordered: true }), at(1, { ordered: true })];
    const s2 = [at(2, { ordered: true, subject: "s2" }), at(3, { ordered: true, subject: "s2" })];
    // ep-b orders nothing: both of its s1 deliveries go at once.
    const plain = [at(4, { endpoints: ["ep-b"] }), at(5, { endpoints: ["ep-b"] })];
    await store.insertEvents([...s1, ...s2, ...plain]);
    expect(idsOf(await claimAll(store))).toEqual(
      idsOf([s1[0]!, s2[0]!, ...plain].map((e) => ({ id: idOf(e) }))),
    );
    expect(await claimAll(store)).toEqual([]);
  });

  it("ordering: holds for a claim under endpoint controls (rate limit, cap and breaker) too", async () => {
    const store = ctx.store();
    const at = subjectEvents();
    const [a, b] = [at(0, { ordered: true }), at(1, { ordered: true })];
    const plain = at(2, { subject: "s2" });
    await store.insertEvents([a, b, plain]);
    const controls: EndpointControl[] = [
      {
        endpointId: "ep-a",
        rateLimit: { perSecond: 1_000, burst: 100 },
        maxConcurrent: 10,
        breaker: { failureThreshold: 10, cooldownMs: 30_000, maxCooldownMs: 600_000 },
      },
    ];
    const claim = () =>
      store.claimDue({ limit: 10, leaseMs: 60_000, workerId: "w", endpointIds: ["ep-a"], controls });
    expect(idsOf(await claim())).toEqual(idsOf([a, plain].map((e) => ({ id: idOf(e) }))));
    expect(await claim()).toEqual([]);
  });

  it("ordering: a failed or cancelled earlier delivery no longer holds the next; one waiting for its retry does", async () => {
    const store = ctx.store();
    const at = subjectEvents();
    const evs = [0, 1, 2, 3].map((i) => at(i, { ordered: true }));
    await store.insertEvents(evs);
    const next = async (ev: (typeof evs)[number]) => {
      const claimed = await claimAll(store);
      expect(idsOf(claimed)).toEqual([idOf(ev)]);
      return claimed[0]!;
    };
    await finish(await next(evs[0]!), { status: "failed" });
    await finish(await next(evs[1]!), { status: "cancelled" });
    // A retry scheduled for later keeps its place at the head of the line.
    await finish(await next(evs[2]!), { status: "pending", delayMs: HOUR });
    expect(await claimAll(store)).toEqual([]);
    expect((await detail(store, idOf(evs[3]!))).waitingFor).toBe(idOf(evs[2]!));
  });

  it("ordering: a delivery without a subject is never held and holds nothing", async () => {
    const store = ctx.store();
    const at = subjectEvents();
    const loose = [at(0, { ordered: true, subject: null }), at(1, { ordered: true, subject: null })];
    await store.insertEvents(loose);
    expect(idsOf(await claimAll(store))).toEqual(idsOf(loose.map((e) => ({ id: idOf(e) }))));
    const later = at(2, { ordered: true, subject: null });
    await store.insertEvents([later]);
    expect((await detail(store, idOf(later))).waitingFor ?? null).toBeNull();
    expect(idsOf(await claimAll(store))).toEqual([idOf(later)]);
  });

  it("ordering: an expired lease of the head is claimed again, and the next still waits for it", async () => {
    const store = ctx.store();
    const at = subjectEvents();
    const [a, b] = [at(0, { ordered: true }), at(1, { ordered: true })];
    await store.insertEvents([a, b]);
    // Long enough that a slow claim cannot outlive it before the "still held" check.
    const lease = Math.max(ctx.leaseMs, 1_000);
    expect(idsOf(await claimAll(store, lease))).toEqual([idOf(a)]);
    expect(await claimAll(store)).toEqual([]);
    let again: ClaimedDelivery[] = [];
    await until(
      async () => {
        again = await claimAll(store);
        return again.length > 0;
      },
      { timeoutMs: 15_000, everyMs: 50, what: "the head's expired lease to be claimable again" },
    );
    expect(again.map((c) => [c.id, c.attempts])).toEqual([[idOf(a), 2]]);
    expect((await detail(store, idOf(b))).waitingFor).toBe(idOf(a));
    await finish(again[0]!, { status: "succeeded" });
    expect(idsOf(await claimAll(store))).toEqual([idOf(b)]);
  });

  it("ordering: waitingFor names the earliest unfinished earlier delivery of the endpoint and subject", async () => {
    const store = ctx.store();
    const at = subjectEvents();
    const head = at(0, { ordered: true, claim: true });
    const [b, c] = [at(1, { ordered: true }), at(2, { ordered: true })];
    const elsewhere = [at(3, { ordered: true, subject: "s2" }), at(4, { endpoints: ["ep-b"] })];
    await store.insertEvents([head, b, c, ...elsewhere]);
    const waiting = async (ev: typeof head) => (await detail(store, idOf(ev))).waitingFor ?? null;
    expect(await waiting(head)).toBeNull();
    expect(await waiting(b)).toBe(idOf(head));
    expect(await waiting(c)).toBe(idOf(head));
    for (const ev of elsewhere) expect(await waiting(ev)).toBeNull();
    await store.complete([makeResult(claimOf(head), makeOutcome("success"), { status: "succeeded" })]);
    expect(await waiting(b)).toBeNull();
    expect(await waiting(c)).toBe(idOf(b));
  });

  it("ordering: a claim of named subjects takes only the next delivery of each, never an expired lease or anything else", async () => {
    const store = ctx.store();
    const at = subjectEvents();
    const s1 = [at(0, { ordered: true }), at(1, { ordered: true }), at(2, { ordered: true })];
    const s2 = [at(3, { ordered: true, subject: "s2" }), at(4, { ordered: true, subject: "s2" })];
    const s3 = at(5, { ordered: true, subject: "s3", claim: true });
    const s3Next = at(6, { ordered: true, subject: "s3" });
    // Not named, or not ordered: left to an ordinary claim.
    const others = [at(7, { ordered: true, subject: "s4" }), at(8, { subject: "s1" })];
    const onB = at(9, { ordered: true, endpoints: ["ep-b"] });
    await store.insertEvents([...s1, ...s2, s3, s3Next, ...others, onB]);
    const named = (subjects: { endpointId: string; subject: string }[], limit = 10, leaseMs = 60_000) =>
      store.claimDue({ limit, leaseMs, workerId: "w", endpointIds: ["ep-a", "ep-b"], subjects });
    const subjects = ["s1", "s2", "s3"].map((subject) => ({ endpointId: "ep-a", subject }));
    // s3's head is out (claimed at insert), so s3 has nothing to give.
    const first = await named(subjects);
    expect(idsOf(first)).toEqual(idsOf([s1[0]!, s2[0]!].map((e) => ({ id: idOf(e) }))));
    expect(await named(subjects)).toEqual([]);
    await finish(first.find((c) => c.id === idOf(s1[0]!))!, { status: "succeeded" });
    // The limit holds; a subject of another endpoint is its own line.
    const second = await named([...subjects, { endpointId: "ep-b", subject: "s1" }], 1);
    expect(second).toHaveLength(1);
    const rest = await named([...subjects, { endpointId: "ep-b", subject: "s1" }]);
    expect(idsOf([...second, ...rest])).toEqual(idsOf([s1[1]!, onB].map((e) => ({ id: idOf(e) }))));
    expect(idsOf(await claimAll(store))).toEqual(idsOf(others.map((e) => ({ id: idOf(e) }))));
    expect(await named([])).toEqual([]);
  });

  it("ordering: a claim of named subjects leaves an expired lease to an ordinary claim", async () => {
    const store = ctx.store();
    const at = subjectEvents();
    const [a, b] = [at(0, { ordered: true }), at(1, { ordered: true })];
    await store.insertEvents([a, b]);
    expect(idsOf(await claimAll(store, 1))).toEqual([idOf(a)]);
    await new Promise((r) => setTimeout(r, 20));
    const subjects = [{ endpointId: "ep-a", subject: "s1" }];
    expect(
      await store.claimDue({ limit: 10, leaseMs: 60_000, workerId: "w", endpointIds: ["ep-a"], subjects }),
    ).toEqual([]);
    expect(idsOf(await claimAll(store))).toEqual([idOf(a)]);
  });
}
