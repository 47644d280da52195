import { latencyBucket, nearestRankPercentile } from "../contracts/latency.js";
import type {
  EndpointBacklog,
  EndpointHealth,
  StatsRow,
  TimelineBucket,
  TimeRange,
} from "../contracts/store.js";
import { DELIVERY_STATUSES } from "../contracts/store.js";
import type { MemTables } from "./memory-rows.js";

const zeroCounts = () => Object.fromEntries(DELIVERY_STATUSES.map((s) => [s, 0])) as Record<string, number>;

function attemptsIn(t: MemTables, range: TimeRange) {
  return t.attempts.filter((a) => a.startedAt >= range.since && a.startedAt < range.until);
}

/** DeliveryStore.stats over the memory tables. */
export function memoryStats(t: MemTables, range: TimeRange): StatsRow[] {
  const groups = new Map<string, { eventCode: string; endpointId: string; counts: Record<string, number> }>();
  for (const d of t.deliveries.values()) {
    if (d.createdAt < range.since || d.createdAt >= range.until) continue;
    const key = `${d.eventCode}\u0000${d.endpointId}`;
    const g = groups.get(key) ?? { eventCode: d.eventCode, endpointId: d.endpointId, counts: zeroCounts() };
    g.counts[d.status] = (g.counts[d.status] ?? 0) + 1;
    groups.set(key, g);
  }
  const durations = new Map<string, number[]>();
  for (const a of attemptsIn(t, range)) {
    const d = t.deliveries.get(a.deliveryId);
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

/** DeliveryStore.timeline over the memory tables. */
export function memoryTimeline(t: MemTables, range: TimeRange, bucketMs: number): TimelineBucket[] {
  const buckets: TimelineBucket[] = [];
  for (let ms = range.since.getTime(); ms < range.until.getTime(); ms += bucketMs) {
    const start = new Date(ms);
    const end = new Date(Math.min(ms + bucketMs, range.until.getTime()));
    const counts = zeroCounts();
    for (const d of t.deliveries.values()) {
      if (d.createdAt >= start && d.createdAt < end) counts[d.status] = (counts[d.status] ?? 0) + 1;
    }
    const ds = attemptsIn(t, { since: start, until: end })
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

/** DeliveryStore.endpointHealth over the memory tables. */
export function memoryEndpointHealth(t: MemTables, range: TimeRange): EndpointHealth[] {
  const byEndpoint = new Map<string, MemTables["attempts"]>();
  for (const a of t.attempts) byEndpoint.set(a.endpointId, [...(byEndpoint.get(a.endpointId) ?? []), a]);
  const backlog = new Map<string, { pending: number; oldest: Date }>();
  for (const d of t.deliveries.values()) {
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

/** DeliveryStore.backlog over the memory tables: pending deliveries due at `now`, per endpoint. */
export function memoryBacklog(t: MemTables, now: Date): EndpointBacklog[] {
  const byEndpoint = new Map<string, { due: number; oldestDueAt: Date }>();
  for (const d of t.deliveries.values()) {
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
