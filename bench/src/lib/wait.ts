/** Resolve after `ms`. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// Every wait in the harness is bounded in time: until() rejects after its timeoutMs.
export { until } from "@hookline/core/testing";

/** Run `task(i)` for i in [0, count) with at most `lanes` running at once. */
export async function inLanes(
  count: number,
  lanes: number,
  task: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(lanes, count) }, async () => {
      while (next < count) await task(next++);
    }),
  );
}
