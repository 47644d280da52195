import pRetry, { AbortError } from "p-retry";
import type { StoreErrorDetails } from "../contracts/store.js";
import { HooklineError, isHooklineError } from "../errors/hookline-error.js";

/** A store failure the store already retried itself, until its own budget ran out. */
export function storeGaveUp(err: unknown): boolean {
  return (
    isHooklineError(err, "HOOKLINE_STORE_ERROR") &&
    (err.details as StoreErrorDetails | undefined)?.retryable === false
  );
}

/**
 * True when core may try `err`'s store call again: a store failure the store did not retry
 * itself (a lost connection, a closed pool), or a driver error a store let through unwrapped.
 * Misuse errors (bad option, bad input) and failures the store already retried are final.
 */
function mayRetry(err: unknown): boolean {
  if (!isHooklineError(err)) return true;
  return err.code === "HOOKLINE_STORE_ERROR" && !storeGaveUp(err);
}

/**
 * Run a store write, retrying the failures that are core's to retry (see DeliveryStore: the
 * store retries its own conflicts; core retries the rest) up to `retries` more times, with
 * exponential back-off: 50 ms doubling, each delay randomised ×1–2, at most 2 s. The final error
 * is a HOOKLINE_STORE_ERROR naming what was being done, with the store's error as cause; an error
 * that is not core's to retry is thrown as it is, after one try.
 */
export async function withStoreRetry<T>(what: string, fn: () => Promise<T>, retries: number): Promise<T> {
  try {
    return await pRetry(
      async () => {
        try {
          return await fn();
        } catch (err) {
          if (!mayRetry(err)) throw new AbortError(err as Error);
          throw err instanceof Error ? err : new Error(String(err));
        }
      },
      { retries, minTimeout: 50, maxTimeout: 2_000, factor: 2, randomize: true },
    );
  } catch (err) {
    if (!mayRetry(err)) throw err;
    throw new HooklineError(
      "HOOKLINE_STORE_ERROR",
      `${what} failed after ${retries + 1} tries: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
}
