/** Resolve after `ms`. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Poll `check` every `everyMs` until it returns true; throws after `timeoutMs` so no wait in the
 * harness can hang a run (every loop is bounded in time).
 */
export async function until(
  check: () => Promise<boolean> | boolean,
  opts: { timeoutMs: number; everyMs?: number; what: string },
): Promise<void> {
  const deadline = performance.now() + opts.timeoutMs;
  for (;;) {
    if (await check()) return;
    if (performance.now() > deadline)
      throw new Error(`timed out after ${opts.timeoutMs} ms waiting for ${opts.what}`);
    await sleep(opts.everyMs ?? 20);
  }
}

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
