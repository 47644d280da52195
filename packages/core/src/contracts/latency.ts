/**
 * The rounding step of a duration in latency percentiles: 1 ms below 100 ms, then a tenth of the
 * duration's power of ten (10 ms steps below 1 s, 100 ms steps below 10 s, …). Stores that bucket
 * in SQL build their expression from this, so they agree with latencyBucket on every duration.
 */
export function latencyBucketStep(ms: number): number {
  if (!(ms >= 100)) return 1;
  return 10 ** (Math.floor(Math.log10(ms)) - 1);
}

/**
 * The duration stores report latency percentiles in: two significant digits, rounded down (exact
 * below 100 ms, then 10 ms steps below 1 s, 100 ms steps below 10 s, …). Percentiles this coarse
 * still tell 1.2 s from 1.3 s, and the database then groups a day of attempts into a few thousand
 * cells instead of one per distinct millisecond: stats over 24 h at 1M rows ~180 → ~125 ms.
 */
export function latencyBucket(ms: number): number {
  if (!(ms >= 100)) return ms;
  return ms - (ms % latencyBucketStep(ms));
}

/**
 * The 1-based rank of the nearest-rank percentile `p` of `count` values: ceil(p·count/100), at
 * least 1. Every store and the benchmark take percentiles at this rank, so their figures compare
 * like for like; multiplying before dividing keeps it exact for fractional p (99.9 of 1000 is 999).
 */
export function percentileRank(p: number, count: number): number {
  return Math.min(count, Math.max(1, Math.ceil((p * count) / 100)));
}

/** The nearest-rank percentile `p` of ascending `sorted` values; null when there are none. */
export function nearestRankPercentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[percentileRank(p, sorted.length) - 1] ?? null;
}
