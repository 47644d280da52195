import pRetry, { AbortError } from "p-retry";
import { HooklineError, isHooklineError } from "../errors/hookline-error.js";

/**
 * Run a store write, retrying transient failures (lost connection, deadlock, busy) with
 * exponential backoff. Misuse errors (bad option, bad input) fail at once. The final error is a
 * HOOKLINE_STORE_ERROR naming what was being done, with the driver's error as cause.
 */
export async function withStoreRetry<T>(what: string, fn: () => Promise<T>, retries: number): Promise<T> {
  try {
    return await pRetry(
      async () => {
        try {
          return await fn();
        } catch (err) {
          if (isHooklineError(err) && err.code !== "HOOKLINE_STORE_ERROR") throw new AbortError(err);
          throw err instanceof Error ? err : new Error(String(err));
        }
      },
      { retries, minTimeout: 50, maxTimeout: 2_000, factor: 2, randomize: true },
    );
  } catch (err) {
    if (isHooklineError(err) && err.code !== "HOOKLINE_STORE_ERROR") throw err;
    throw new HooklineError(
      "HOOKLINE_STORE_ERROR",
      `${what} failed after ${retries + 1} tries: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
}
