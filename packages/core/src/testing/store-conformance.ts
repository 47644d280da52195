import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ClaimedDelivery, DeliveryStore, NewEvent } from "../contracts/store.js";
import { makeEvent, makeOutcome, makeResult, wait } from "./fixtures.js";

/** How the suite gets a fresh, migrated-or-not store per test and cleans up after it. */
export interface StoreConformanceOptions {
  /** A new, empty store (the suite calls migrate()). */
  readonly create: () => Promise<DeliveryStore> | DeliveryStore;
  /** Called after close(), e.g. to drop the test's tables. */
  readonly destroy?: (store: DeliveryStore) => Promise<void>;
  /** Lease used where a test waits for expiry; raise it for slow databases. @default 150 */
  readonly leaseMs?: number;
}

const HOUR = 3_600_000;
const claimOf = (
  ev: NewEvent,
  i = 0,
): Pick<ClaimedDelivery, "id" | "claimToken" | "attempts" | "endpointId" | "eventCode"> => {
  const d = ev.deliveries[i]!;
  return { id: d.id, claimToken: d.claim!.token, attempts: 1, endpointId: d.endpointId, eventCode: ev.code };
};

/**
 * The contract every DeliveryStore must honour (keyv-style): run it from each adapter's tests.
 * It relies on real time passing for leases, since stores compare times on their own clock.
 */
export function storeConformance(name: string, opts: StoreConformanceOptions): void {
  const leaseMs = opts.leaseMs ?? 150;
  describe(`DeliveryStore conformance: ${name}`, () => {
    let store: DeliveryStore;
    beforeEach(async () => {
      store = await opts.create();
      await store.migrate();
    });
    afterEach(async () => {
      await store.close();
      await opts.destroy?.(store);
    });

    it("migrate() is idempotent", async () => {
      await store.migrate();
      await store.migrate();
      expect((await store.listDeliveries({}, { limit: 10 })).items).toEqual([]);
    });

    it("stores the body byte-exact (emoji, RTL, escaped NUL, astral) and the event fields", async () => {
      const body = JSON.stringify({ name: "Zoë 😀 مرحبا \u0000 end", n: 1.5, eventCode: "add_credits" });
      const ev = makeEvent({ body, subject: "b-é", endpoints: ["ep-a", "ep-b"] });
      await store.insertEvents([ev]);
      const got = await store.getEvent(ev.id);
      expect(got?.body).toBe(body);
      expect(Buffer.from(got!.body, "utf8").equals(Buffer.from(body, "utf8"))).toBe(true);
      expect(got?.code).toBe("add_credits");
      expect(got?.subject).toBe("b-é");
      expect(got?.deliveries.map((d) => d.endpointId).sort()).toEqual(["ep-a", "ep-b"]);
      for (const d of got!.deliveries)
        expect(d).toMatchObject({ status: "pending", attempts: 0, eventId: ev.id });
    });

    it("claims due pending deliveries once: status sending, attempts counted at claim, limit honoured", async () => {
      const events = [1, 2, 3].map(() => makeEvent());
      await store.insertEvents(events);
      const first = await store.claimDue({ limit: 2, leaseMs: 60_000, workerId: "w1" });
      expect(first).toHaveLength(2);
      const second = await store.claimDue({ limit: 10, leaseMs: 60_000, workerId: "w2" });
      expect(second).toHaveLength(1);
      expect(await store.claimDue({ limit: 10, leaseMs: 60_000, workerId: "w3" })).toEqual([]);
      const all = [...first, ...second];
      expect(new Set(all.map((c) => c.id)).size).toBe(3);
      expect(new Set(all.map((c) => c.claimToken)).size).toBe(3);
      for (const c of all) {
        const ev = events.find((e) => e.id === c.eventId)!;
        expect(c).toMatchObject({ attempts: 1, eventCode: ev.code, body: ev.body, subject: "buyer-1" });
        expect((await store.getDelivery(c.id))?.status).toBe("sending");
      }
    });

    it("inserts pre-claimed deliveries as sending with one attempt, invisible to claimers while leased", async () => {
      const ev = makeEvent({ claim: { leaseMs: 60_000 } });
      await store.insertEvents([ev]);
      expect(await store.getDelivery(ev.deliveries[0]!.id)).toMatchObject({ status: "sending", attempts: 1 });
      expect(await store.claimDue({ limit: 10, leaseMs: 1000, workerId: "w" })).toEqual([]);
      const report = await store.complete([
        makeResult(claimOf(ev), makeOutcome("success"), { status: "succeeded" }),
      ]);
      expect(report).toEqual({ applied: [ev.deliveries[0]!.id], stale: [] });
    });

    it("fences completion by claim token: a wrong or spent token changes nothing", async () => {
      const ev = makeEvent({ claim: { leaseMs: 60_000 } });
      await store.insertEvents([ev]);
      const c = claimOf(ev);
      const wrong = await store.complete([
        makeResult({ ...c, claimToken: "clm_not_mine" }, makeOutcome("success"), { status: "succeeded" }),
      ]);
      expect(wrong).toEqual({ applied: [], stale: [c.id] });
      expect((await store.getDelivery(c.id))?.status).toBe("sending");
      await store.complete([makeResult(c, makeOutcome("retryable"), { status: "failed" })]);
      const again = await store.complete([makeResult(c, makeOutcome("success"), { status: "succeeded" })]);
      expect(again.stale).toEqual([c.id]);
      const d = await store.getDelivery(c.id);
      expect(d?.status).toBe("failed");
      expect(d?.attemptLog).toHaveLength(1);
    });

    it("reports nextAttemptAt only while pending: null while sending and once terminal", async () => {
      const claimed = makeEvent({ claim: { leaseMs: 60_000 } });
      const due = makeEvent();
      await store.insertEvents([claimed, due]);
      const nextOf = async (id: string) => (await store.getDelivery(id))?.nextAttemptAt ?? null;
      expect(await nextOf(claimed.deliveries[0]!.id)).toBeNull();
      expect(await nextOf(due.deliveries[0]!.id)).toBeInstanceOf(Date);
      const [c] = await store.claimDue({ limit: 5, leaseMs: 60_000, workerId: "w" });
      expect(c?.id).toBe(due.deliveries[0]!.id);
      expect(await nextOf(c!.id)).toBeNull();
      await store.complete([makeResult(c!, makeOutcome("success"), { status: "succeeded" })]);
      expect(await nextOf(c!.id)).toBeNull();
    });

    it("applies only the valid completions of a mixed batch (wrong, spent and swapped tokens)", async () => {
      const evs = Array.from({ length: 5 }, () => makeEvent({ claim: { leaseMs: 60_000 } }));
      await store.insertEvents(evs);
      const [valid, wrong, spent, swapA, swapB] = evs.map((ev) => claimOf(ev)) as [
        ReturnType<typeof claimOf>,
        ...ReturnType<typeof claimOf>[],
      ];
      await store.complete([makeResult(spent!, makeOutcome("retryable"), { status: "failed" })]);
      const ok = makeOutcome("success");
      const report = await store.complete([
        makeResult(valid, ok, { status: "succeeded" }),
        makeResult({ ...wrong!, claimToken: "clm_not_mine" }, ok, { status: "succeeded" }),
        makeResult(spent!, ok, { status: "succeeded" }),
        // Each carries the other's (valid) token: neither matches its own row.
        makeResult({ ...swapA!, claimToken: swapB!.claimToken }, ok, { status: "succeeded" }),
        makeResult({ ...swapB!, claimToken: swapA!.claimToken }, ok, { status: "succeeded" }),
      ]);
      expect(report.applied).toEqual([valid.id]);
      expect([...report.stale].sort()).toEqual([wrong!.id, spent!.id, swapA!.id, swapB!.id].sort());
      const status = async (id: string) => (await store.getDelivery(id))?.status;
      expect(await status(valid.id)).toBe("succeeded");
      expect(await status(wrong!.id)).toBe("sending");
      expect(await status(spent!.id)).toBe("failed");
      expect(await status(swapA!.id)).toBe("sending");
      expect(await status(swapB!.id)).toBe("sending");
      expect((await store.getDelivery(spent!.id))?.attemptLog).toHaveLength(1);
      expect((await store.getDelivery(swapA!.id))?.attemptLog).toHaveLength(0);
      expect((await store.getDelivery(valid.id))?.attemptLog).toHaveLength(1);
    });

    it("re-claims after the lease expires; the zombie's late completion is stale", async () => {
      const ev = makeEvent({ claim: { leaseMs } });
      await store.insertEvents([ev]);
      expect(await store.claimDue({ limit: 5, leaseMs: 60_000, workerId: "w2" })).toEqual([]);
      await wait(leaseMs + 150);
      const [re] = await store.claimDue({ limit: 5, leaseMs: 60_000, workerId: "w2" });
      expect(re?.id).toBe(ev.deliveries[0]!.id);
      expect(re?.attempts).toBe(2);
      const fresh = await store.complete([makeResult(re!, makeOutcome("success"), { status: "succeeded" })]);
      expect(fresh.applied).toEqual([re!.id]);
      const zombie = await store.complete([
        makeResult(claimOf(ev), makeOutcome("retryable"), { status: "failed" }),
      ]);
      expect(zombie).toEqual({ applied: [], stale: [re!.id] });
      const d = await store.getDelivery(re!.id);
      expect(d?.status).toBe("succeeded");
      expect(d?.attemptLog.map((a) => a.attempt)).toEqual([2]);
    });

    it("records every attempt field and the delivery's last result", async () => {
      const ev = makeEvent({ claim: { leaseMs: 60_000 } });
      await store.insertEvents([ev]);
      const c = claimOf(ev);
      const outcome = makeOutcome("retryable", {
        status: 503,
        headers: { "retry-after": "7", "x-r": "é" },
        body: "x".repeat(64),
        bodyTruncated: true,
        durationMs: 321,
        retryAfterMs: 7000,
        error: { code: "HOOKLINE_HTTP_STATUS", message: "receiver answered 503" },
      });
      await store.complete([makeResult(c, outcome, { status: "pending", delayMs: HOUR })]);
      const d = await store.getDelivery(c.id);
      expect(d).toMatchObject({
        status: "pending",
        attempts: 1,
        lastStatus: 503,
        lastErrorCode: "HOOKLINE_HTTP_STATUS",
      });
      expect(d?.lastDurationMs).toBe(321);
      expect(d?.nextAttemptAt?.getTime()).toBeGreaterThan(Date.now() + HOUR - 60_000);
      expect(d?.event.id).toBe(ev.id);
      const [a] = d!.attemptLog;
      expect(a).toMatchObject({
        deliveryId: c.id,
        attempt: 1,
        durationMs: 321,
        url: "http://127.0.0.1:9/hook",
        requestHeaders: { "content-type": "application/json", authorization: "[redacted]" },
        responseStatus: 503,
        responseHeaders: { "retry-after": "7", "x-r": "é" },
        responseBody: "x".repeat(64),
        responseTruncated: true,
        outcome: "retryable",
        errorCode: "HOOKLINE_HTTP_STATUS",
        errorMessage: "receiver answered 503",
      });
      expect(await store.claimDue({ limit: 5, leaseMs: 1000, workerId: "w" })).toEqual([]);
    });

    it("makes a retry claimable only once its delay has passed", async () => {
      const ev = makeEvent({ claim: { leaseMs: 60_000 } });
      await store.insertEvents([ev]);
      await store.complete([
        makeResult(claimOf(ev), makeOutcome("retryable"), { status: "pending", delayMs: 300 }),
      ]);
      expect(await store.claimDue({ limit: 5, leaseMs: 1000, workerId: "w" })).toEqual([]);
      await wait(450);
      const [c] = await store.claimDue({ limit: 5, leaseMs: 1000, workerId: "w" });
      expect(c).toMatchObject({ id: ev.deliveries[0]!.id, attempts: 2 });
    });

    it("release() returns unstarted claims to pending and un-counts the attempt", async () => {
      await store.insertEvents([makeEvent()]);
      const [c] = await store.claimDue({ limit: 1, leaseMs: 60_000, workerId: "w" });
      expect(await store.release([{ deliveryId: c!.id, claimToken: "clm_other" }])).toBe(0);
      expect(await store.release([{ deliveryId: c!.id, claimToken: c!.claimToken }])).toBe(1);
      expect(await store.getDelivery(c!.id)).toMatchObject({ status: "pending", attempts: 0 });
      const [again] = await store.claimDue({ limit: 1, leaseMs: 60_000, workerId: "w" });
      expect(again).toMatchObject({ id: c!.id, attempts: 1 });
    });

    it("requeues only terminal deliveries, by ids and by filter", async () => {
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
      const claimed = await store.claimDue({ limit: 10, leaseMs: 60_000, workerId: "w" });
      expect(claimed.map((c) => c.id).sort()).toEqual([...ids].sort());
      const replayed = claimed.find((c) => c.id === ids[0])!;
      expect(replayed).toMatchObject({ eventId: evs[0]!.id, attempts: 2 });
    });

    it("dedupes idempotency keys across batches and within one batch", async () => {
      const a = makeEvent({ idempotencyKey: "k-1", endpoints: ["ep-a", "ep-b"] });
      expect((await store.insertEvents([a])).duplicates.size).toBe(0);
      const b = makeEvent({ idempotencyKey: "k-1" });
      const c = makeEvent({ idempotencyKey: "k-2" });
      const d = makeEvent({ idempotencyKey: "k-2" });
      const report = await store.insertEvents([b, c, d]);
      expect(report.duplicates.get(b.id)?.eventId).toBe(a.id);
      expect([...(report.duplicates.get(b.id)?.deliveryIds ?? [])].sort()).toEqual(
        a.deliveries.map((x) => x.id).sort(),
      );
      expect(report.duplicates.get(d.id)?.eventId).toBe(c.id);
      expect(report.duplicates.has(c.id)).toBe(false);
      expect(await store.getEvent(b.id)).toBeNull();
      expect((await store.listEvents({}, { limit: 10 })).items.map((e) => e.id).sort()).toEqual(
        [a.id, c.id].sort(),
      );
    });

    it("treats re-inserting an already stored event (a retried write) as a no-op", async () => {
      const ev = makeEvent({
        claim: { leaseMs: 60_000 },
        endpoints: ["ep-a", "ep-b"],
        idempotencyKey: "k-retry",
      });
      const other = makeEvent();
      await store.insertEvents([ev]);
      await store.complete([makeResult(claimOf(ev), makeOutcome("success"), { status: "succeeded" })]);
      const again = await store.insertEvents([ev, other]);
      expect(again.duplicates.size).toBe(0);
      expect(await store.getDelivery(ev.deliveries[0]!.id)).toMatchObject({
        status: "succeeded",
        attempts: 1,
      });
      expect((await store.getEvent(ev.id))?.deliveries).toHaveLength(2);
      expect(await store.getEvent(other.id)).not.toBeNull();
      expect((await store.listEvents({}, { limit: 10 })).items).toHaveLength(2);
    });

    it("inserts large batches (600 events × 3 deliveries) in one call", async () => {
      const batch = Array.from({ length: 600 }, () => makeEvent({ endpoints: ["e1", "e2", "e3"] }));
      await store.insertEvents(batch);
      let n = 0;
      let cursor: string | null = null;
      do {
        const page: Awaited<ReturnType<DeliveryStore["listDeliveries"]>> = await store.listDeliveries(
          {},
          { limit: 500, cursor },
        );
        n += page.items.length;
        cursor = page.nextCursor;
      } while (cursor);
      expect(n).toBe(1800);
    });

    it("filters deliveries and pages newest first without gaps or repeats", async () => {
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
      const q = (f: Parameters<DeliveryStore["listDeliveries"]>[0]) =>
        store.listDeliveries(f, { limit: 100 });
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
      const ev = makeEvent({ endpoints: ["ep-off", "ep-on"] });
      const off = { ...ev, deliveries: [{ ...ev.deliveries[0]!, cancelled: true }, ev.deliveries[1]!] };
      await store.insertEvents([off]);
      expect(await store.getDelivery(ev.deliveries[0]!.id)).toMatchObject({
        status: "cancelled",
        attempts: 0,
        nextAttemptAt: null,
      });
      const claimed = await store.claimDue({ limit: 10, leaseMs: 60_000, workerId: "w" });
      expect(claimed.map((c) => c.id)).toEqual([ev.deliveries[1]!.id]);
      expect(await store.requeue({ ids: [ev.deliveries[0]!.id] })).toBe(1);
      expect((await store.claimDue({ limit: 10, leaseMs: 60_000, workerId: "w" })).map((c) => c.id)).toEqual([
        ev.deliveries[0]!.id,
      ]);
    });

    it("returns null for unknown ids", async () => {
      expect(await store.getDelivery("dlv_nope")).toBeNull();
      expect(await store.getEvent("evt_nope")).toBeNull();
    });

    it("never hands one delivery to two concurrent claimers", async () => {
      await store.insertEvents(Array.from({ length: 60 }, () => makeEvent({ endpoints: ["e1", "e2"] })));
      const seen: string[] = [];
      await Promise.all(
        [1, 2, 3].map(async (w) => {
          for (;;) {
            const batch = await store.claimDue({ limit: 7, leaseMs: 60_000, workerId: `w${w}` });
            if (batch.length === 0) return;
            seen.push(...batch.map((c) => c.id));
          }
        }),
      );
      expect(seen).toHaveLength(120);
      expect(new Set(seen).size).toBe(120);
    });
  });
}
