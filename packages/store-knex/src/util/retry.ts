import type { StoreContext } from "../context.js";

/** Tries of one transaction on MySQL/MariaDB and PostgreSQL. */
export const SERVER_TRIES = 6;

/** Driver errors this store retried until its budget ran out, with the number of tries. */
const exhausted = new WeakMap<object, number>();

/**
 * How many times the store tried before giving up on `err`, or undefined when it did not retry
 * it. storeOp marks such a failure `retryable: false`, so core does not retry it again.
 */
export function triesSpentOn(err: unknown): number | undefined {
  return typeof err === "object" && err !== null ? exhausted.get(err) : undefined;
}

/**
 * Run `fn` (one whole transaction or statement) again when the database reports a deadlock, a
 * lock timeout or a busy SQLite file: the victim was rolled back entirely, so a rerun is safe.
 * These conflicts are this store's to retry, and only these: a lost connection or any other
 * failure goes up at once, for core to retry (see DeliveryStore in core). Budget per call of
 * `fn`: 6 tries on a server, with jittered back-off (≤ 21, 41, 81, 161, 321 ms; ≤ 0.63 s in all);
 * on SQLite, tries until `busyTimeoutMs` has passed, 1–51 ms apart.
 *
 * SQLite waits here, asynchronously, instead of in SQLite's busy handler: better-sqlite3 is
 * synchronous, so a busy handler would freeze the event loop, and with it the very transaction
 * (on another connection of this process) that holds the lock.
 */
export async function retryTransient<T>(ctx: StoreContext, fn: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const sqlite = ctx.dialect.name === "sqlite";
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!ctx.dialect.isTransient(err)) throw err;
      if (sqlite ? Date.now() - started >= ctx.options.busyTimeoutMs : attempt >= SERVER_TRIES) {
        if (typeof err === "object" && err !== null) exhausted.set(err, attempt);
        throw err;
      }
      // Jittered backoff so colliding transactions do not meet again in lock step.
      const ceiling = sqlite ? Math.min(50, 2 * attempt) : 10 * 2 ** attempt;
      await new Promise((r) => setTimeout(r, 1 + Math.random() * ceiling));
    }
  }
}
