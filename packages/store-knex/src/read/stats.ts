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
import { rawRows } from "../util/sql.js";
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

/**
 * Several grouped SELECTs as one statement. One statement reads one snapshot, so a delivery that
 * completes while stats() runs is counted once: as sending from the log or as succeeded from the
 * roll-up, never both or neither.
 */
async function unionAll(ctx: StoreContext, parts: readonly Knex.QueryBuilder[]): Promise<Row[]> {
  if (parts.length === 0) return [];
  if (parts.length === 1) return (await parts[0]!) as Row[];
  const compiled = parts.map((p) => p.toSQL());
  // Derived tables rather than parenthesised members: SQLite accepts no parentheses there.
  const sql = compiled.map((c, i) => `SELECT * FROM (${c.sql}) u${i}`).join(" UNION ALL ");
  const bindings = compiled.flatMap((c) => [...c.bindings]) as Knex.RawBinding[];
  return rawRows<Row>(ctx.dialect, await ctx.db.raw(sql, bindings));
}

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
  const grouped = (q: Knex.QueryBuilder, ...keys: string[]) =>
    unsortedGroups(ctx, q.groupBy(...keys)) as Knex.QueryBuilder;
  const counts = [
    grouped(
      (whole ? liveDeliveries(ctx, since, until, edges) : deliveriesCreatedIn(ctx, since, until))
        .select("event_code", "endpoint_id", "status")
        .count({ n: "*" }),
      "event_code",
      "endpoint_id",
      "status",
    ),
  ];
  const histogram: Knex.QueryBuilder[] = [];
  if (edges.length > 0)
    histogram.push(
      grouped(
        db(t.attempts)
          .where((q) => {
            for (const [a, b] of edges)
              q.orWhere((w) => w.where("started_at", ">=", a).andWhere("started_at", "<", b));
          })
          .select("event_code", "endpoint_id", db.raw(`${latencyBucketSql("duration_ms")} AS v`))
          .count({ n: "*" }),
        "event_code",
        "endpoint_id",
        "v",
      ),
    );
  if (whole) {
    const cells = () =>
      db(t.statsHourly).where("hour_start", ">=", whole[0]).andWhere("hour_start", "<", whole[1]);
    counts.push(
      grouped(
        cells()
          .whereIn("cell", TERMINAL_STATUSES)
          .select("event_code", "endpoint_id", { status: "cell" })
          .sum({ n: "n" }),
        "event_code",
        "endpoint_id",
        "cell",
      ),
    );
    histogram.push(
      grouped(
        cells().where("cell", LATENCY_CELL).select("event_code", "endpoint_id", "v").sum({ n: "n" }),
        "event_code",
        "endpoint_id",
        "v",
      ),
    );
  }
  // Counts and latencies are independent reads: side by side. Cells a requeue or purge brought
  // back to zero stand for nothing.
  const nonZero = (rows: Row[]) => rows.filter((r) => num(r.n) !== 0);
  const [counted, latencies] = await Promise.all([unionAll(ctx, counts), unionAll(ctx, histogram)]);
  return [nonZero(counted), nonZero(latencies) as HistogramRow[]];
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
