import type { Dialect } from "../dialect.js";

const ATTEMPTS = 6;

/**
 * Run `fn` (one whole transaction) again when the database reports a deadlock, lock timeout or
 * busy file: InnoDB rolls the victim back entirely, so retrying the transaction is safe.
 */
export async function retryTransient<T>(dialect: Dialect, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= ATTEMPTS || !dialect.isTransient(err)) throw err;
      // Jittered backoff so the colliding transactions do not meet again in lock step.
      await new Promise((r) => setTimeout(r, Math.random() * 10 * 2 ** attempt));
    }
  }
}
