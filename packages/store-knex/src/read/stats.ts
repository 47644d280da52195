import {
  DELIVERY_STATUSES,
  type DeliveryStatus,
  describeValue,
  HooklineError,
  type StatsRow,
  TERMINAL_STATUSES,
  type TimeRange,
} from "@hookline/core";
import type { Knex } from "knex";
import type { StoreContext } from "../context.js";
import { num } from "../util/convert.js";
import { HOUR_MS, LATENCY_CELL } from "../write/stats-rollup.js";
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

/** [since, until) pairs of epoch ms. */
type Span = readonly [number, number];

/**
 * Whole hours of a range are read from the roll-up, the part-hours at either end from the log. A
 * range inside one hour (or crossing one boundary) has no whole hour and is read from the log.
 */
export function splitRange(since: number, until: number): { whole: Span | null; edges: Span[] } {
  const h0 = Math.ceil(since / HOUR_MS) * HOUR_MS;
  const h1 = Math.floor(until / HOUR_MS) * HOUR_MS;
  if (h0 >= h1) return { whole: null, edges: since < until ? [[since, until]] : [] };
  const edges: Span[] = [
    [since, h0],
    [h1, until],
  ];
  return { whole: [h0, h1], edges: edges.filter(([a, b]) => a < b) };
}

const ACTIVE = DELIVERY_STATUSES.filter((s) => !TERMINAL_STATUSES.includes(s));

/**
 * Deliveries the roll-up does not count: pending and sending ones in the whole range, terminal
 * ones in the part-hours. One range per status and span of dlv_status_cover_idx.
 */
function liveDeliveries(ctx: StoreContext, since: number, until: number, edges: readonly Span[]) {
  return ctx.db(ctx.t.deliveries).where((q) => {
    q.where((w) =>
      w.whereIn("status", ACTIVE).andWhere("created_at", ">=", since).andWhere("created_at", "<", until),
    );
    for (const [a, b] of edges)
      q.orWhere((w) =>
        w.whereIn("status", TERMINAL_STATUSES).andWhere("created_at", ">=", a).andWhere("created_at", "<", b),
      );
  });
}

type Row = Record<string, unknown>;

/** Delivery counts by (code, endpoint, status) and the latency histogram, roll-up and log merged. */
async function sources(
  ctx: StoreContext,
  since: number,
  until: number,
  rollup: boolean,
): Promise<[Row[], HistogramRow[]]> {
  const { db, t } = ctx;
  const { whole, edges } = rollup
    ? splitRange(since, until)
    : { whole: null, edges: [[since, until] as const] };
  const countLive = (q: Knex.QueryBuilder) =>
    unsortedGroups(
      ctx,
      q
        .select("event_code", "endpoint_id", "status")
        .count({ n: "*" })
        .groupBy("event_code", "endpoint_id", "status"),
    ) as unknown as Promise<Row[]>;
  const histogramOf = (spans: readonly Span[]) =>
    spans.length === 0
      ? Promise.resolve([])
      : (unsortedGroups(
          ctx,
          db(t.attempts)
            .where((q) => {
              for (const [a, b] of spans)
                q.orWhere((w) => w.where("started_at", ">=", a).andWhere("started_at", "<", b));
            })
            .select("event_code", "endpoint_id", db.raw(`${latencyBucketSql("duration_ms")} AS v`))
            .count({ n: "*" })
            .groupBy("event_code", "endpoint_id", "v"),
        ) as unknown as Promise<HistogramRow[]>);
  if (!whole) return Promise.all([countLive(deliveriesCreatedIn(ctx, since, until)), histogramOf(edges)]);
  // Three independent reads, side by side.
  const [counted, histogram, rolled] = await Promise.all([
    countLive(liveDeliveries(ctx, since, until, edges)),
    histogramOf(edges),
    unsortedGroups(
      ctx,
      db(t.statsHourly)
        .where("hour_start", ">=", whole[0])
        .andWhere("hour_start", "<", whole[1])
        .select("event_code", "endpoint_id", "cell", "v")
        .sum({ n: "n" })
        .groupBy("event_code", "endpoint_id", "cell", "v"),
    ) as unknown as Promise<Row[]>,
  ]);
  for (const r of rolled) {
    // Cells a requeue or purge brought back to zero stand for nothing.
    if (num(r.n) === 0) continue;
    if (r.cell === LATENCY_CELL)
      histogram.push({ event_code: r.event_code, endpoint_id: r.endpoint_id, v: r.v, n: r.n });
    else counted.push({ event_code: r.event_code, endpoint_id: r.endpoint_id, status: r.cell, n: r.n });
  }
  return [counted, histogram];
}

/**
 * Per (event code, endpoint): delivery counts by status for deliveries created in range, success
 * rate over settled ones, and nearest-rank p50/p95 of attempt durations started in range.
 * `rollup: false` counts everything from the log, as before the roll-up (tests compare the two).
 */
export async function stats(
  ctx: StoreContext,
  range: TimeRange,
  opts: { readonly rollup: boolean } = { rollup: true },
): Promise<StatsRow[]> {
  const { since, until } = rangeMs(range);
  const [counted, histogram] = await sources(ctx, since, until, opts.rollup);
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
    // A status can come from both the roll-up and a part-hour of the log.
    g.counts[r.status as DeliveryStatus] += num(r.n);
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
