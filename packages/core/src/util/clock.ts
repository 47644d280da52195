/** Opaque handle returned by Clock.setTimeout. */
export type TimerHandle = { readonly __timer: unique symbol } | NodeJS.Timeout;

/** Time source for the dispatcher, retry policy and worker; swap it for a fake in tests. */
export interface Clock {
  /** The current time. */
  now(): Date;
  /** Run `fn` after `ms` milliseconds. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Cancel a timer made by setTimeout. */
  clearTimeout(handle: TimerHandle): void;
}

/** The wall clock. Timers are unref'd so an idle worker never keeps the process alive. */
export const systemClock: Clock = Object.freeze({
  now: () => new Date(),
  setTimeout: (fn: () => void, ms: number) => {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clearTimeout: (h: TimerHandle) => clearTimeout(h as NodeJS.Timeout),
});

/** Resolve after `ms` on `clock`, or early (without error) when `signal` aborts. */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const handle = clock.setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clock.clearTimeout(handle);
      resolve();
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
