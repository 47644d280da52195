import {
  type DeliveryStatus,
  describeValue,
  HooklineError,
  type TimelineBucket,
  type TimeRange,
} from "@hookline/core";
import type { StoreContext } from "../context.js";
import { num } from "../util/convert.js";
import { type HistogramRow, latencyBucketSql, percentilesFromHistogram } from "./percentiles.js";
import { attemptsStartedIn, deliveriesCreatedIn, rangeMs, unsortedGroups, zeroCounts } from "./stats.js";

/** Bounds the answer (and the work) of one timeline call. */
export const MAX_BUCKETS = 10_000;

/**
 * Deliveries created in range, counted per `bucketMs` bucket and status, with p50/p95 of the
 * attempts started in each bucket. Empty buckets are included; the last one may be short.
 */
export async function timeline(
  ctx: StoreContext,
  range: TimeRange,
  bucketMs: number,
): Promise<TimelineBucket[]> {
  const { since, until } = rangeMs(range);
  if (!Number.isInteger(bucketMs) || bucketMs < 1)
    throw new HooklineError(
      "HOOKLINE_INVALID_OPTION",
      `bucketMs: expected a positive integer, got ${describeValue(bucketMs)}`,
    );
  const n = Math.max(0, Math.ceil((until - since) / bucketMs));
  if (n > MAX_BUCKETS)
    throw new HooklineError(
      "HOOKLINE_INVALID_OPTION",
      `bucketMs: expected at most ${MAX_BUCKETS} buckets in the range, got ${n}`,
    );
  if (n === 0) return [];
  const { db, dialect } = ctx;
  // Both operands are validated integers, inlined so SQLite does integer (not REAL) division.
  const bucketOf = (col: string) => dialect.intDiv(`${col} - ${since}`, String(bucketMs));
  // Two independent scans, side by side, as in stats().
  const [counted, histogram] = await Promise.all([
    unsortedGroups(
      ctx,
      deliveriesCreatedIn(ctx, since, until)
        .select(db.raw(`${bucketOf("created_at")} AS bucket`), "status")
        .count({ n: "*" })
        .groupBy("bucket", "status"),
    ) as unknown as Promise<Record<string, unknown>[]>,
    unsortedGroups(
      ctx,
      attemptsStartedIn(ctx, since, until)
        .select(
          db.raw(`${bucketOf("started_at")} AS bucket`),
          db.raw(`${latencyBucketSql("duration_ms")} AS v`),
        )
        .count({ n: "*" })
        .groupBy("bucket", "v"),
    ) as unknown as Promise<HistogramRow[]>,
  ]);
  const pct = percentilesFromHistogram(histogram, ["bucket"]);
  const buckets = Array.from({ length: n }, (_, i) => ({
    start: new Date(since + i * bucketMs),
    counts: zeroCounts(),
    p50Ms: pct.get(String(i))?.p50Ms ?? null,
    p95Ms: pct.get(String(i))?.p95Ms ?? null,
  }));
  for (const r of counted) {
    const b = buckets[num(r.bucket)];
    if (b) b.counts[r.status as DeliveryStatus] = num(r.n);
  }
  return buckets;
}
