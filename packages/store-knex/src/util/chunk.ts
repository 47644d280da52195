/**
 * Split `items` into runs of at most `maxCount`, and (when `weigh` is given) at most
 * `maxWeight` total weight; an item heavier than `maxWeight` gets a run of its own.
 */
export function chunk<T>(
  items: readonly T[],
  maxCount: number,
  weigh?: (item: T) => number,
  maxWeight = Number.POSITIVE_INFINITY,
): T[][] {
  const out: T[][] = [];
  let run: T[] = [];
  let weight = 0;
  for (const item of items) {
    const w = weigh ? weigh(item) : 0;
    if (run.length > 0 && (run.length >= maxCount || weight + w > maxWeight)) {
      out.push(run);
      run = [];
      weight = 0;
    }
    run.push(item);
    weight += w;
  }
  if (run.length > 0) out.push(run);
  return out;
}

/** Rows per statement so that `paramsPerRow` bound values per row stay under the dialect's limit. */
export function rowsPerStatement(maxParams: number, paramsPerRow: number, maxRows: number): number {
  return Math.max(1, Math.min(maxRows, Math.floor(maxParams / paramsPerRow)));
}
