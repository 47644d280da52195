import {
  DELIVERY_STATUSES,
  type DeliveryStatus,
  describeValue,
  HooklineError,
  type StatsRow,
  type TimeRange,
} from "@hookline/core";
import type { Knex } from "knex";
import type { StoreContext } from "../context.js";
import { num } from "../util/convert.js";
import { groupKey, type HistogramRow, latencyBucketSql, percentilesFromHistogram } from "./percentiles.js";

/** Validated range bounds in epoch ms. */
export function rangeMs(range: TimeRange): { since: number; until: number } {
  const since = range?.since;
  const until = range?.until;
  if (!(since instanceof Date) || Number.isNaN(since.getTime()))
    throw new HooklineError(
      "HOOKLINE_INVALID_OPTION",
      `range.since: expected a valid Date, got ${describeValue(since)}`,
    );
  if (!(until instanceof Date) || Number.isNaN(until.getTime()))
    throw new HooklineError(
      "HOOKLINE_INVALID_OPTION",
      `range.until: expected a valid Date, got ${describeValue(until)}`,
    );
  return { since: since.getTime(), until: until.getTime() };
}

/**
 * MariaDB sorts every GROUP BY result unless told otherwise. Stats and timeline merge their groups
 * by key, so the sort (of ~30k histogram cells for a busy day) is pure cost: ~20 % of the call.
 */
export function unsortedGroups<Q extends Knex.QueryBuilder>(ctx: StoreContext, q: Q): Q {
  return ctx.dialect.name === "mysql" ? (q.orderByRaw("NULL") as Q) : q;
}

/**
 * Deliveries created in [since, until). Naming every status turns the time range into one range
 * per status of dlv_status_cover_idx (status, created_at, id, event_code, endpoint_id), so the
 * counts of stats and timeline read the index alone.
 */
export function deliveriesCreatedIn(ctx: StoreContext, since: number, until: number): Knex.QueryBuilder {
  return ctx
    .db(ctx.t.deliveries)
    .whereIn("status", DELIVERY_STATUSES)
    .andWhere("created_at", ">=", since)
    .andWhere("created_at", "<", until);
}

/** Attempts started in [since, until), read through att_started_idx. */
export function attemptsStartedIn(ctx: StoreContext, since: number, until: number): Knex.QueryBuilder {
  return ctx.db(ctx.t.attempts).where("started_at", ">=", since).andWhere("started_at", "<", until);
}

export const zeroCounts = (): Record<DeliveryStatus, number> =>
  Object.fromEntries(DELIVERY_STATUSES.map((s) => [s, 0])) as Record<DeliveryStatus, number>;

/**
 * Per (event code, endpoint): delivery counts by status for deliveries created in range, success
 * rate over settled ones, and nearest-rank p50/p95 of attempt durations started in range.
 */
export async function stats(ctx: StoreContext, range: TimeRange): Promise<StatsRow[]> {
  const { since, until } = rangeMs(range);
  const { db } = ctx;
  // Two independent scans (deliveries by creation, attempts by start): run them side by side.
  const [counted, histogram] = await Promise.all([
    unsortedGroups(
      ctx,
      deliveriesCreatedIn(ctx, since, until)
        .select("event_code", "endpoint_id", "status")
        .count({ n: "*" })
        .groupBy("event_code", "endpoint_id", "status"),
    ) as unknown as Promise<Record<string, unknown>[]>,
    unsortedGroups(
      ctx,
      attemptsStartedIn(ctx, since, until)
        .select("event_code", "endpoint_id", db.raw(`${latencyBucketSql("duration_ms")} AS v`))
        .count({ n: "*" })
        .groupBy("event_code", "endpoint_id", "v"),
    ) as unknown as Promise<HistogramRow[]>,
  ]);
  const groups = new Map<
    string,
    { eventCode: string; endpointId: string; counts: Record<DeliveryStatus, number> }
  >();
  for (const r of counted) {
    const key = groupKey([r.event_code, r.endpoint_id]);
    const g = groups.get(key) ?? {
      eventCode: r.event_code as string,
      endpointId: r.endpoint_id as string,
      counts: zeroCounts(),
    };
    g.counts[r.status as DeliveryStatus] = num(r.n);
    groups.set(key, g);
  }
  const pct = percentilesFromHistogram(histogram, ["event_code", "endpoint_id"]);
  return [...groups.entries()]
    .map(([key, g]) => {
      const ok = g.counts.succeeded;
      const settled = ok + g.counts.failed;
      return {
        eventCode: g.eventCode,
        endpointId: g.endpointId,
        counts: g.counts,
        total: Object.values(g.counts).reduce((a, b) => a + b, 0),
        successRate: settled === 0 ? null : ok / settled,
        p50Ms: pct.get(key)?.p50Ms ?? null,
        p95Ms: pct.get(key)?.p95Ms ?? null,
      };
    })
    .sort((a, b) => a.eventCode.localeCompare(b.eventCode) || a.endpointId.localeCompare(b.endpointId));
}
