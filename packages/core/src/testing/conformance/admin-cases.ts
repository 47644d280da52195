import { expect, it } from "vitest";
import type { DeliveryStore } from "../../contracts/store.js";
import { makeEvent, makeOutcome, makeResult, wait } from "../fixtures.js";
import { type ConformanceContext, claimOf, HOUR } from "./helpers.js";

/** What admins read and do: lists, stats, purge, requeue, endpoint switches. */
export function adminCases(ctx: ConformanceContext): void {
  it("requeues only terminal deliveries, by ids and by filter", async () => {
    const store = ctx.store();
    const evs = [0, 1, 2].map(() => makeEvent({ claim: { leaseMs: 60_000 } }));
    const pendingEv = makeEvent({ endpoints: ["ep-z"] });
    await store.insertEvents([...evs, pendingEv]);
    await store.complete([
      makeResult(claimOf(evs[0]!), makeOutcome("retryable"), { status: "failed" }),
      makeResult(claimOf(evs[1]!), makeOutcome("success"), { status: "succeeded" }),
      makeResult(claimOf(evs[2]!), makeOutcome("permanent"), { status: "cancelled" }),
    ]);
    const ids = [...evs, pendingEv].map((e) => e.deliveries[0]!.id);
    expect(await store.requeue({ ids: [ids[0]!, ids[3]!, "dlv_missing"] })).toBe(1);
    expect(await store.requeue({ filter: { status: ["succeeded", "cancelled"] } })).toBe(2);
    const claimed = await store.claimDue({
      limit: 10,
      leaseMs: 60_000,
      workerId: "w",
      endpointIds: ["ep-a", "ep-z"],
    });
    expect(claimed.map((c) => c.id).sort()).toEqual([...ids].sort());
    const replayed = claimed.find((c) => c.id === ids[0])!;
    expect(replayed).toMatchObject({ eventId: evs[0]!.id, attempts: 2 });
  });

  it("filters deliveries and pages newest first without gaps or repeats", async () => {
    const store = ctx.store();
    const t0 = new Date(Date.now() - 10_000);
    const evs = Array.from({ length: 7 }, (_, i) =>
      makeEvent({
        code: i % 2 ? "add_credits" : "post_code_change",
        subject: `buyer-${i % 3}`,
        endpoints: ["ep-a", "ep-b"],
        createdAt: new Date(t0.getTime() + i * 1000),
      }),
    );
    for (const ev of evs) await store.insertEvents([ev]);
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<DeliveryStore["listDeliveries"]>> = await store.listDeliveries(
        {},
        { limit: 4, cursor },
      );
      ids.push(...page.items.map((d) => d.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(ids).toHaveLength(14);
    expect(new Set(ids).size).toBe(14);
    expect([...ids].sort().reverse()).toEqual(ids);
    const q = (f: Parameters<DeliveryStore["listDeliveries"]>[0]) => store.listDeliveries(f, { limit: 100 });
    expect((await q({ eventCode: ["add_credits"] })).items).toHaveLength(6);
    expect((await q({ endpointId: ["ep-b"] })).items).toHaveLength(7);
    expect((await q({ subject: "buyer-1" })).items).toHaveLength(4);
    expect((await q({ eventId: evs[3]!.id })).items).toHaveLength(2);
    expect((await q({ status: ["succeeded"] })).items).toHaveLength(0);
    const ranged = await q({ since: new Date(t0.getTime() + 2000), until: new Date(t0.getTime() + 4000) });
    expect(ranged.items.map((d) => d.eventId).sort()).toEqual(
      [evs[2]!.id, evs[2]!.id, evs[3]!.id, evs[3]!.id].sort(),
    );
    const combo = await q({ eventCode: ["post_code_change"], endpointId: ["ep-a"], subject: "buyer-0" });
    expect(combo.items.map((d) => d.eventId).sort()).toEqual([evs[0]!.id, evs[6]!.id].sort());
    const events = await store.listEvents({ subject: "buyer-2" }, { limit: 1 });
    expect(events.items.map((e) => e.id)).toEqual([evs[5]!.id]);
    const next = await store.listEvents({ subject: "buyer-2" }, { limit: 1, cursor: events.nextCursor });
    expect(next.items.map((e) => e.id)).toEqual([evs[2]!.id]);
    expect(next.nextCursor).toBeNull();
  });

  it("reports latency percentiles to two significant digits, rounded down", async () => {
    const store = ctx.store();
    const durations = [5, 99, 150, 1234, 1299, 98_765];
    const evs = durations.map(() => makeEvent({ claim: { leaseMs: 60_000 }, endpoints: ["ep-l"] }));
    await store.insertEvents(evs);
    const t = Date.now();
    await store.complete(
      evs.map((ev, i) =>
        makeResult(
          claimOf(ev),
          makeOutcome("success", { durationMs: durations[i]! }),
          { status: "succeeded" },
          new Date(t - 1000),
        ),
      ),
    );
    const range = { since: new Date(t - HOUR), until: new Date(t + HOUR) };
    const [row] = (await store.stats(range)).filter((r) => r.endpointId === "ep-l");
    // Buckets 5, 99, 150, 1200, 1200, 98000: rank 3 of 6 is 150, rank 6 is 98000.
    expect(row).toMatchObject({ p50Ms: 150, p95Ms: 98_000 });
    const buckets = await store.timeline(range, 2 * HOUR);
    expect(buckets[0]).toMatchObject({ p50Ms: 150, p95Ms: 98_000 });
  });

  it("reports stats, timeline and endpoint health from attempts", async () => {
    const store = ctx.store();
    const evs = Array.from({ length: 4 }, () =>
      makeEvent({ claim: { leaseMs: 60_000 }, endpoints: ["ep-a"] }),
    );
    await store.insertEvents(evs);
    const t = Date.now();
    await store.complete([
      makeResult(
        claimOf(evs[0]!),
        makeOutcome("success", { durationMs: 10 }),
        { status: "succeeded" },
        new Date(t - 4000),
      ),
      makeResult(
        claimOf(evs[1]!),
        makeOutcome("success", { durationMs: 20 }),
        { status: "succeeded" },
        new Date(t - 3000),
      ),
      makeResult(
        claimOf(evs[2]!),
        makeOutcome("retryable", { durationMs: 30 }),
        { status: "failed" },
        new Date(t - 2000),
      ),
      makeResult(
        claimOf(evs[3]!),
        makeOutcome("retryable", { durationMs: 400 }),
        { status: "pending", delayMs: HOUR },
        new Date(t - 1000),
      ),
    ]);
    const range = { since: new Date(t - HOUR), until: new Date(t + HOUR) };
    const [row, ...rest] = await store.stats(range);
    expect(rest).toEqual([]);
    expect(row).toMatchObject({ eventCode: "add_credits", endpointId: "ep-a", total: 4 });
    expect(row!.counts).toEqual({ pending: 1, sending: 0, succeeded: 2, failed: 1, cancelled: 0 });
    expect(row!.successRate).toBeCloseTo(2 / 3);
    expect(row!.p50Ms).toBeGreaterThanOrEqual(20);
    expect(row!.p50Ms).toBeLessThanOrEqual(30);
    expect(row!.p95Ms).toBe(400);
    const buckets = await store.timeline(range, HOUR);
    expect(buckets).toHaveLength(2);
    expect(buckets[0]!.start.getTime()).toBe(range.since.getTime());
    const total = buckets.reduce((n, b) => n + Object.values(b.counts).reduce((x, y) => x + y, 0), 0);
    expect(total).toBe(4);
    const [health] = await store.endpointHealth(range);
    expect(health).toMatchObject({ endpointId: "ep-a", consecutiveFailures: 2, attemptsInRange: 4 });
    expect(health!.successRate).toBeCloseTo(0.5);
    expect(health!.lastSuccessAt?.getTime()).toBe(t - 3000);
    expect(health!.failingSince?.getTime()).toBe(t - 2000);
    expect(health!.lastFailureAt?.getTime()).toBe(t - 1000);
  });

  it("purges only terminal deliveries older than the cut-off, with their attempts and empty events", async () => {
    const store = ctx.store();
    const done = makeEvent({ claim: { leaseMs: 60_000 }, endpoints: ["ep-a"] });
    const mixed = makeEvent({ claim: { leaseMs: 60_000 }, endpoints: ["ep-a", "ep-b"] });
    const waiting = makeEvent({ endpoints: ["ep-a"] });
    const inflight = makeEvent({ claim: { leaseMs: 60_000 }, endpoints: ["ep-a"] });
    await store.insertEvents([done, mixed, waiting, inflight]);
    await store.complete([
      makeResult(claimOf(done), makeOutcome("success"), { status: "succeeded" }),
      makeResult(claimOf(mixed, 0), makeOutcome("retryable"), { status: "failed" }),
    ]);
    expect(await store.purge(new Date(Date.now() - HOUR))).toBe(0);
    await wait(20);
    expect(await store.purge(new Date(Date.now() + 1000), { batchSize: 1 })).toBe(2);
    expect(await store.getEvent(done.id)).toBeNull();
    expect(await store.getDelivery(done.deliveries[0]!.id)).toBeNull();
    const left = await store.getEvent(mixed.id);
    expect(left?.deliveries.map((d) => d.id)).toEqual([mixed.deliveries[1]!.id]);
    expect((await store.getDelivery(waiting.deliveries[0]!.id))?.status).toBe("pending");
    expect((await store.getDelivery(inflight.deliveries[0]!.id))?.status).toBe("sending");
  });

  it("disabling an endpoint cancels its pending deliveries, not in-flight ones; re-enable is persisted", async () => {
    const store = ctx.store();
    const p = makeEvent({ endpoints: ["ep-off", "ep-on"] });
    const s = makeEvent({ claim: { leaseMs: 60_000 }, endpoints: ["ep-off"] });
    await store.insertEvents([p, s]);
    expect(await store.setEndpointDisabled("ep-off", true, "410 Gone")).toEqual({ cancelled: 1 });
    const [state] = await store.getEndpointStates();
    expect(state).toMatchObject({ endpointId: "ep-off", disabled: true, disabledReason: "410 Gone" });
    expect(state!.disabledAt).toBeInstanceOf(Date);
    expect(state!.updatedAt).toBeInstanceOf(Date);
    expect((await store.getDelivery(p.deliveries[0]!.id))?.status).toBe("cancelled");
    expect((await store.getDelivery(p.deliveries[1]!.id))?.status).toBe("pending");
    expect((await store.getDelivery(s.deliveries[0]!.id))?.status).toBe("sending");
    await wait(5);
    await store.setEndpointDisabled("ep-off", false);
    const enabled = (await store.getEndpointStates()).find((e) => e.endpointId === "ep-off");
    expect(enabled?.disabled).toBe(false);
    expect(enabled?.updatedAt?.getTime()).toBeGreaterThan(state!.updatedAt!.getTime());
    expect(await store.requeue({ filter: { status: ["cancelled"] } })).toBe(1);
  });

  it("stores a delivery to a disabled endpoint as cancelled, never claimable, and replayable", async () => {
    const store = ctx.store();
    const ev = makeEvent({ endpoints: ["ep-off", "ep-on"] });
    const off = { ...ev, deliveries: [{ ...ev.deliveries[0]!, cancelled: true }, ev.deliveries[1]!] };
    await store.insertEvents([off]);
    expect(await store.getDelivery(ev.deliveries[0]!.id)).toMatchObject({
      status: "cancelled",
      attempts: 0,
      nextAttemptAt: null,
    });
    const claimed = await store.claimDue({
      limit: 10,
      leaseMs: 60_000,
      workerId: "w",
      endpointIds: ["ep-off", "ep-on"],
    });
    expect(claimed.map((c) => c.id)).toEqual([ev.deliveries[1]!.id]);
    expect(await store.requeue({ ids: [ev.deliveries[0]!.id] })).toBe(1);
    expect(
      (
        await store.claimDue({ limit: 10, leaseMs: 60_000, workerId: "w", endpointIds: ["ep-off", "ep-on"] })
      ).map((c) => c.id),
    ).toEqual([ev.deliveries[0]!.id]);
  });

  it("returns null for unknown ids", async () => {
    const store = ctx.store();
    expect(await store.getDelivery("dlv_nope")).toBeNull();
    expect(await store.getEvent("evt_nope")).toBeNull();
  });
}
