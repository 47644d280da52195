import type { StoreContext } from "../context.js";

/** Deadlock retries on MySQL/MariaDB and PostgreSQL. */
const SERVER_ATTEMPTS = 6;

/**
 * Run `fn` (one whole transaction or statement) again when the database reports a deadlock, a
 * lock timeout or a busy SQLite file: the victim was rolled back entirely, so a rerun is safe.
 *
 * SQLite waits here, asynchronously, for up to `busyTimeoutMs`, instead of in SQLite's busy
 * handler: better-sqlite3 is synchronous, so a busy handler would freeze the event loop, and with
 * it the very transaction (on another connection of this process) that holds the lock.
 */
export async function retryTransient<T>(ctx: StoreContext, fn: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const sqlite = ctx.dialect.name === "sqlite";
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!ctx.dialect.isTransient(err)) throw err;
      if (sqlite ? Date.now() - started >= ctx.options.busyTimeoutMs : attempt >= SERVER_ATTEMPTS) throw err;
      // Jittered backoff so colliding transactions do not meet again in lock step.
      const ceiling = sqlite ? Math.min(50, 2 * attempt) : 10 * 2 ** attempt;
      await new Promise((r) => setTimeout(r, 1 + Math.random() * ceiling));
    }
  }
}
