import type { EndpointControl } from "../contracts/delivery-control.js";
import { latencyBucket, nearestRankPercentile } from "../contracts/latency.js";
import type {
  AttemptRequestRewrite,
  AttemptResult,
  ClaimedDelivery,
  CompletionReport,
  DeliveryDetail,
  DeliveryFilter,
  DeliveryStore,
  EndpointBacklog,
  EndpointHealth,
  EndpointState,
  EventDetail,
  EventFilter,
  EventRecord,
  InsertReport,
  NewEvent,
  RedactAttemptsOptions,
  RedactReport,
  StatsRow,
  TimelineBucket,
  TimeRange,
} from "../contracts/store.js";
import { DELIVERY_STATUSES, TERMINAL_STATUSES } from "../contracts/store.js";
import { redactCredentialHeaders, redactUrl } from "../dispatch/redact.js";
import { redactBatchSize, rewriteStoredRequest } from "../dispatch/redact-stored.js";
import { HooklineError } from "../errors/hookline-error.js";
import { type Clock, systemClock } from "../util/clock.js";
import { newId } from "../util/ids.js";
import { MemoryControls } from "./memory-controls.js";
import { admissionReport, admitInserted, heldBy, subjectHeads } from "./memory-ordering.js";
import {
  type MemDelivery,
  type MemTables,
  pageById,
  storableTraceContext,
  summarize,
} from "./memory-rows.js";

/** Options for memoryStore. */
export interface MemoryStoreOptions {
  /** Time source for due and lease times. @default systemClock */
  readonly clock?: Clock;
}

const zeroCounts = () => Object.fromEntries(DELIVERY_STATUSES.map((s) => [s, 0])) as Record<string, number>;

function matches(d: MemDelivery, f: DeliveryFilter): boolean {
  return (
    (!f.status || f.status.includes(d.status)) &&
    (!f.eventCode || f.eventCode.includes(d.eventCode)) &&
    (!f.endpointId || f.endpointId.includes(d.endpointId)) &&
    (f.subject === undefined || d.subject === f.subject) &&
    (f.eventId === undefined || d.eventId === f.eventId) &&
    (!f.since || d.createdAt >= f.since) &&
    (!f.until || d.createdAt < f.until)
  );
}

class MemoryStore implements DeliveryStore {
  readonly #clock: Clock;
  readonly #t: MemTables = {
    events: new Map(),
    deliveries: new Map(),
    attempts: [],
    idempotency: new Map(),
    endpointStates: new Map(),
  };
  readonly #controls = new MemoryControls();

  constructor(opts: MemoryStoreOptions) {
    this.#clock = opts.clock ?? systemClock;
  }

  #now = () => this.#clock.now();

  async migrate(): Promise<void> {}

  async insertEvents(batch: readonly NewEvent[], opts?: { trx?: unknown }): Promise<InsertReport> {
    if (opts?.trx !== undefined) {
      throw new HooklineError(
        "HOOKLINE_INVALID_OPTION",
        "trx: the memory store has no transactions; use a SQL store",
      );
    }
    const duplicates = new Map<string, { eventId: string; deliveryIds: string[] }>();
    const inserted: NewEvent[] = [];
    for (const ev of batch) {
      // Inserting an event that is already stored (a retried write) changes nothing.
      if (this.#t.events.has(ev.id)) continue;
      const original = ev.idempotencyKey ? this.#t.idempotency.get(ev.idempotencyKey) : undefined;
      if (original) {
        const deliveryIds = [...this.#t.deliveries.values()]
          .filter((d) => d.eventId === original)
          .map((d) => d.id);
        duplicates.set(ev.id, { eventId: original, deliveryIds });
        continue;
      }
      this.#t.events.set(ev.id, {
        id: ev.id,
        code: ev.code,
        subject: ev.subject,
        body: ev.body,
        idempotencyKey: ev.idempotencyKey,
        createdAt: ev.createdAt,
        traceContext: storableTraceContext(ev.traceContext),
      });
      if (ev.idempotencyKey) this.#t.idempotency.set(ev.idempotencyKey, ev.id);
      inserted.push(ev);
      const now = this.#now();
      for (const nd of ev.deliveries) {
        this.#t.deliveries.set(nd.id, {
          id: nd.id,
          eventId: ev.id,
          eventCode: ev.code,
          endpointId: nd.endpointId,
          subject: ev.subject,
          status: nd.cancelled ? "cancelled" : nd.claim ? "sending" : "pending",
          attempts: nd.claim && !nd.cancelled ? 1 : 0,
          replays: 0,
          ordered: nd.ordered === true,
          nextAttemptAt: nd.claim || nd.cancelled ? null : now,
          leaseUntil: nd.claim ? new Date(now.getTime() + nd.claim.leaseMs) : null,
          claimToken: nd.claim?.token ?? null,
          claimedBy: nd.claim?.workerId ?? null,
          lastStatus: null,
          lastErrorCode: null,
          lastDurationMs: null,
          createdAt: ev.createdAt,
          updatedAt: now,
        });
      }
    }
    const admitted = admitInserted(this.#t, inserted, this.#now());
    const unclaimed = this.#holdClaimed(batch);
    for (const id of admitted.unclaimed) unclaimed.add(id);
    return { duplicates, ...(unclaimed.size > 0 ? { unclaimed } : {}), ...admissionReport(admitted) };
  }

  // Claimed inserts to an endpoint whose circuit is not closed, or that is paused, go in pending.
  #holdClaimed(batch: readonly NewEvent[]): Set<string> {
    const now = this.#now();
    const held = new Set<string>();
    for (const nd of batch.flatMap((ev) => ev.deliveries)) {
      const d = this.#t.deliveries.get(nd.id);
      if (!nd.claim || d?.status !== "sending" || d.claimToken !== nd.claim.token) continue;
      if (!this.#controls.holds(d.endpointId, now)) continue;
      Object.assign(d, {
        status: "pending",
        attempts: 0,
        nextAttemptAt: now,
        leaseUntil: null,
        claimToken: null,
        claimedBy: null,
      });
      held.add(d.id);
    }
    return held;
  }

  async claimDue(opts: {
    limit: number;
    leaseMs: number;
    workerId: string;
    endpointIds: readonly string[];
    controls?: readonly EndpointControl[];
  }): Promise<ClaimedDelivery[]> {
    const now = this.#now();
    const known = new Set(opts.endpointIds);
    const heads = subjectHeads(this.#t);
    const due = [...this.#t.deliveries.values()]
      .filter(
        (d) =>
          known.has(d.endpointId) &&
          ((d.status === "pending" &&
            d.nextAttemptAt !== null &&
            d.nextAttemptAt <= now &&
            !heldBy(heads, d)) ||
            (d.status === "sending" && d.leaseUntil !== null && d.leaseUntil < now)),
      )
      .sort(
        (a, b) =>
          (a.nextAttemptAt?.getTime() ?? 0) - (b.nextAttemptAt?.getTime() ?? 0) || (a.id < b.id ? -1 : 1),
      );
    const chosen = opts.controls
      ? this.#controls.choose(due, opts, opts.controls, (ep) => this.#liveCount(ep, now), now)
      : due.slice(0, opts.limit);
    return chosen.map((d) => {
      d.status = "sending";
      d.claimToken = newId("clm");
      d.claimedBy = opts.workerId;
      d.leaseUntil = new Date(now.getTime() + opts.leaseMs);
      d.attempts += 1;
      d.updatedAt = now;
      const ev = this.#t.events.get(d.eventId)!;
      return {
        id: d.id,
        eventId: d.eventId,
        eventCode: d.eventCode,
        endpointId: d.endpointId,
        subject: d.subject,
        body: ev.body,
        attempts: d.attempts,
        replays: d.replays,
        claimToken: d.claimToken,
        eventCreatedAt: ev.createdAt,
        traceContext: ev.traceContext ?? null,
      };
    });
  }

  #liveCount(endpointId: string, now: Date): number {
    let n = 0;
    for (const d of this.#t.deliveries.values()) {
      const live = d.status === "sending" && d.leaseUntil !== null && d.leaseUntil >= now;
      if (live && d.endpointId === endpointId) n++;
    }
    return n;
  }

  async complete(
    results: readonly AttemptResult[],
    opts?: { readonly controls?: readonly EndpointControl[] },
  ): Promise<CompletionReport> {
    const applied: string[] = [];
    const done: AttemptResult[] = [];
    const stale: string[] = [];
    const now = this.#now();
    for (const r of results) {
      const d = this.#t.deliveries.get(r.deliveryId);
      if (d?.status !== "sending" || d.claimToken !== r.claimToken) {
        stale.push(r.deliveryId);
        continue;
      }
      const o = r.outcome;
      this.#t.attempts.push({
        id: r.attemptId,
        deliveryId: r.deliveryId,
        endpointId: r.endpointId,
        attempt: r.attempt,
        startedAt: r.startedAt,
        durationMs: o.durationMs,
        // Callers redact already; the store's own pass can only hide more.
        url: r.request ? redactUrl(r.request.url) : null,
        requestHeaders: r.request ? redactCredentialHeaders(r.request.headers) : null,
        responseStatus: o.status ?? null,
        responseHeaders: o.headers ?? null,
        responseBody: o.body ?? null,
        responseTruncated: o.bodyTruncated ?? false,
        outcome: o.kind,
        errorCode: o.error?.code ?? null,
        errorMessage: o.error?.message ?? null,
      });
      d.status = r.next.status;
      d.nextAttemptAt = r.next.status === "pending" ? new Date(now.getTime() + r.next.delayMs) : null;
      d.claimToken = null;
      d.leaseUntil = null;
      d.lastStatus = o.status ?? null;
      d.lastErrorCode = o.error?.code ?? null;
      d.lastDurationMs = o.durationMs;
      d.updatedAt = now;
      applied.push(r.deliveryId);
      done.push(r);
    }
    if (!opts?.controls) return { applied, stale };
    return { applied, stale, circuits: this.#controls.complete(done, opts.controls, now) };
  }

  async release(claims: readonly { deliveryId: string; claimToken: string }[]): Promise<number> {
    let n = 0;
    for (const c of claims) {
      const d = this.#t.deliveries.get(c.deliveryId);
      if (d?.status !== "sending" || d.claimToken !== c.claimToken) continue;
      Object.assign(d, { status: "pending", claimToken: null, leaseUntil: null, nextAttemptAt: this.#now() });
      d.attempts -= 1;
      n++;
    }
    return n;
  }

  async listDeliveries(filter: DeliveryFilter, page: { limit: number; cursor?: string | null }) {
    const rows = [...this.#t.deliveries.values()].filter((d) => matches(d, filter));
    const p = pageById(rows, page.limit, page.cursor);
    return { items: p.items.map(summarize), nextCursor: p.nextCursor };
  }

  async getDelivery(id: string): Promise<DeliveryDetail | null> {
    const d = this.#t.deliveries.get(id);
    if (!d) return null;
    const attemptLog = this.#t.attempts
      .filter((a) => a.deliveryId === id)
      .map(({ endpointId: _e, ...a }) => a)
      .sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime() || a.attempt - b.attempt);
    const waitingFor = heldBy(subjectHeads(this.#t), d)?.id ?? null;
    return { ...summarize(d), waitingFor, event: this.#t.events.get(d.eventId)!, attemptLog };
  }

  async listEvents(filter: EventFilter, page: { limit: number; cursor?: string | null }) {
    const rows = [...this.#t.events.values()].filter(
      (e) =>
        (!filter.eventCode || filter.eventCode.includes(e.code)) &&
        (filter.subject === undefined || e.subject === filter.subject) &&
        (!filter.since || e.createdAt >= filter.since) &&
        (!filter.until || e.createdAt < filter.until),
    );
    return pageById<EventRecord>(rows, page.limit, page.cursor);
  }

  async getEvent(id: string): Promise<EventDetail | null> {
    const e = this.#t.events.get(id);
    if (!e) return null;
    const deliveries = [...this.#t.deliveries.values()].filter((d) => d.eventId === id).map(summarize);
    return { ...e, deliveries };
  }

  #attemptsIn(range: TimeRange) {
    return this.#t.attempts.filter((a) => a.startedAt >= range.since && a.startedAt < range.until);
  }

  async stats(range: TimeRange): Promise<StatsRow[]> {
    const groups = new Map<
      string,
      { eventCode: string; endpointId: string; counts: Record<string, number> }
    >();
    for (const d of this.#t.deliveries.values()) {
      if (d.createdAt < range.since || d.createdAt >= range.until) continue;
      const key = `${d.eventCode}\u0000${d.endpointId}`;
      const g = groups.get(key) ?? { eventCode: d.eventCode, endpointId: d.endpointId, counts: zeroCounts() };
      g.counts[d.status] = (g.counts[d.status] ?? 0) + 1;
      groups.set(key, g);
    }
    const durations = new Map<string, number[]>();
    for (const a of this.#attemptsIn(range)) {
      const d = this.#t.deliveries.get(a.deliveryId);
      if (!d) continue;
      const key = `${d.eventCode}\u0000${d.endpointId}`;
      durations.set(key, [...(durations.get(key) ?? []), latencyBucket(a.durationMs)]);
    }
    return [...groups.entries()]
      .map(([key, g]) => {
        const ds = (durations.get(key) ?? []).sort((a, b) => a - b);
        const ok = g.counts.succeeded ?? 0;
        const bad = g.counts.failed ?? 0;
        const total = Object.values(g.counts).reduce((a, b) => a + b, 0);
        return {
          eventCode: g.eventCode,
          endpointId: g.endpointId,
          counts: g.counts as StatsRow["counts"],
          total,
          successRate: ok + bad === 0 ? null : ok / (ok + bad),
          p50Ms: nearestRankPercentile(ds, 50),
          p95Ms: nearestRankPercentile(ds, 95),
        };
      })
      .sort((a, b) => a.eventCode.localeCompare(b.eventCode) || a.endpointId.localeCompare(b.endpointId));
  }

  async timeline(range: TimeRange, bucketMs: number): Promise<TimelineBucket[]> {
    const buckets: TimelineBucket[] = [];
    for (let t = range.since.getTime(); t < range.until.getTime(); t += bucketMs) {
      const start = new Date(t);
      const end = new Date(Math.min(t + bucketMs, range.until.getTime()));
      const counts = zeroCounts();
      for (const d of this.#t.deliveries.values()) {
        if (d.createdAt >= start && d.createdAt < end) counts[d.status] = (counts[d.status] ?? 0) + 1;
      }
      const ds = this.#attemptsIn({ since: start, until: end })
        .map((a) => latencyBucket(a.durationMs))
        .sort((a, b) => a - b);
      buckets.push({
        start,
        counts: counts as TimelineBucket["counts"],
        p50Ms: nearestRankPercentile(ds, 50),
        p95Ms: nearestRankPercentile(ds, 95),
      });
    }
    return buckets;
  }

  async endpointHealth(range: TimeRange): Promise<EndpointHealth[]> {
    const byEndpoint = new Map<string, MemTables["attempts"]>();
    for (const a of this.#t.attempts)
      byEndpoint.set(a.endpointId, [...(byEndpoint.get(a.endpointId) ?? []), a]);
    const backlog = new Map<string, { pending: number; oldest: Date }>();
    for (const d of this.#t.deliveries.values()) {
      if (d.status !== "pending") continue;
      const b = backlog.get(d.endpointId);
      if (!b) backlog.set(d.endpointId, { pending: 1, oldest: d.createdAt });
      else {
        b.pending++;
        if (d.createdAt < b.oldest) b.oldest = d.createdAt;
      }
      if (!byEndpoint.has(d.endpointId)) byEndpoint.set(d.endpointId, []);
    }
    return [...byEndpoint.entries()]
      .map(([endpointId, all]) => {
        const sorted = [...all].sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
        const lastOk = sorted.findLast((a) => a.outcome === "success");
        const lastBad = sorted.findLast((a) => a.outcome !== "success");
        const streak = sorted.filter(
          (a) => a.outcome !== "success" && (!lastOk || a.startedAt > lastOk.startedAt),
        );
        const inRange = sorted.filter((a) => a.startedAt >= range.since && a.startedAt < range.until);
        const okInRange = inRange.filter((a) => a.outcome === "success").length;
        return {
          endpointId,
          successRate: inRange.length === 0 ? null : okInRange / inRange.length,
          attemptsInRange: inRange.length,
          consecutiveFailures: streak.length,
          lastSuccessAt: lastOk?.startedAt ?? null,
          lastFailureAt: lastBad?.startedAt ?? null,
          failingSince: streak[0]?.startedAt ?? null,
          pending: backlog.get(endpointId)?.pending ?? 0,
          oldestPendingAt: backlog.get(endpointId)?.oldest ?? null,
        };
      })
      .sort((a, b) => a.endpointId.localeCompare(b.endpointId));
  }

  async backlog(): Promise<EndpointBacklog[]> {
    const now = this.#now();
    const byEndpoint = new Map<string, { due: number; oldestDueAt: Date }>();
    for (const d of this.#t.deliveries.values()) {
      if (d.status !== "pending" || d.nextAttemptAt === null || d.nextAttemptAt > now) continue;
      const b = byEndpoint.get(d.endpointId);
      if (!b) byEndpoint.set(d.endpointId, { due: 1, oldestDueAt: d.nextAttemptAt });
      else {
        b.due++;
        if (d.nextAttemptAt < b.oldestDueAt) b.oldestDueAt = d.nextAttemptAt;
      }
    }
    return (
      [...byEndpoint.entries()]
        .map(([endpointId, b]) => ({ endpointId, ...b }))
        // Plain string order (not locale order), as the knex store sorts: identifiers are byte-exact.
        .sort((a, b) => (a.endpointId < b.endpointId ? -1 : a.endpointId > b.endpointId ? 1 : 0))
    );
  }

  async requeue(target: { ids: readonly string[] } | { filter: DeliveryFilter }): Promise<number> {
    const now = this.#now();
    const rows =
      "ids" in target
        ? target.ids.map((id) => this.#t.deliveries.get(id)).filter((d): d is MemDelivery => !!d)
        : [...this.#t.deliveries.values()].filter((d) => matches(d, target.filter));
    let n = 0;
    for (const d of rows) {
      if (!TERMINAL_STATUSES.includes(d.status)) continue;
      Object.assign(d, { status: "pending", nextAttemptAt: now, updatedAt: now, replays: d.replays + 1 });
      n++;
    }
    return n;
  }

  async purge(olderThan: Date): Promise<number> {
    let n = 0;
    for (const d of [...this.#t.deliveries.values()]) {
      if (!TERMINAL_STATUSES.includes(d.status) || d.updatedAt >= olderThan) continue;
      this.#t.deliveries.delete(d.id);
      n++;
    }
    const live = new Set([...this.#t.deliveries.values()].map((d) => d.id));
    const liveEvents = new Set([...this.#t.deliveries.values()].map((d) => d.eventId));
    this.#t.attempts = this.#t.attempts.filter((a) => live.has(a.deliveryId));
    for (const [id, e] of this.#t.events) {
      // An event with no deliveries left goes too, but only once it is itself older than the cut-off.
      if (liveEvents.has(id) || e.createdAt >= olderThan) continue;
      this.#t.events.delete(id);
      if (e.idempotencyKey) this.#t.idempotency.delete(e.idempotencyKey);
    }
    return n;
  }

  async redactAttempts(rewrite: AttemptRequestRewrite, opts?: RedactAttemptsOptions): Promise<RedactReport> {
    const batchSize = redactBatchSize(opts?.batchSize);
    let scanned = 0;
    let changed = 0;
    const all = this.#t.attempts;
    for (let i = 0; i < all.length; i += batchSize) {
      for (const a of all.slice(i, i + batchSize)) {
        scanned++;
        const next = rewriteStoredRequest(rewrite, {
          attemptId: a.id,
          endpointId: a.endpointId,
          url: a.url,
          requestHeaders: a.requestHeaders,
        });
        if (!next.changed) continue;
        changed++;
        if (!opts?.dryRun) Object.assign(a, { url: next.url, requestHeaders: next.requestHeaders });
      }
      opts?.onProgress?.({ scanned, changed });
    }
    return { scanned, changed };
  }

  async getEndpointStates(): Promise<EndpointState[]> {
    const ids = new Set([...this.#t.endpointStates.keys(), ...this.#controls.endpointIds()]);
    // Plain string order, as the knex store reads them (ORDER BY endpoint_id).
    return [...ids]
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      .map((endpointId) => {
        const s = this.#t.endpointStates.get(endpointId);
        return {
          endpointId,
          disabled: s?.disabled ?? false,
          disabledAt: s?.disabledAt ?? null,
          disabledReason: s?.disabledReason ?? null,
          updatedAt: s?.updatedAt ?? null,
          ...this.#controls.stateOf(endpointId),
        };
      });
  }

  async setEndpointDisabled(endpointId: string, disabled: boolean, reason?: string) {
    const now = this.#now();
    this.#t.endpointStates.set(endpointId, {
      disabled,
      disabledAt: disabled ? now : null,
      disabledReason: disabled ? (reason ?? null) : null,
      updatedAt: now,
    });
    let cancelled = 0;
    if (disabled) {
      for (const d of this.#t.deliveries.values()) {
        if (d.endpointId !== endpointId || d.status !== "pending") continue;
        Object.assign(d, { status: "cancelled", nextAttemptAt: null, updatedAt: now });
        cancelled++;
      }
    }
    return { cancelled };
  }

  async close(): Promise<void> {}
}

/** An in-memory DeliveryStore: the reference implementation for tests and demos. Not durable. */
export function memoryStore(opts: MemoryStoreOptions = {}): DeliveryStore {
  return new MemoryStore(opts);
}
