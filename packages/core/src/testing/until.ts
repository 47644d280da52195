/** How long until() polls, how often, and what its timeout error names. */
export interface UntilOptions {
  /** Give up (reject) once this many ms have passed. @default 10000 */
  readonly timeoutMs?: number;
  /** Pause between two checks, in ms. @default 20 */
  readonly everyMs?: number;
  /** What is awaited, for the timeout message. @default "the condition" */
  readonly what?: string;
}

/**
 * Poll `check` until it returns true; rejects after `timeoutMs` so no wait can hang a test or a
 * benchmark run. An error thrown by `check` rejects at once (e.g. a child process that exited).
 */
export async function until(check: () => boolean | Promise<boolean>, opts: UntilOptions = {}): Promise<void> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (performance.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${opts.what ?? "the condition"}`);
    await new Promise((r) => setTimeout(r, opts.everyMs ?? 20));
  }
}
