import { HooklineError, type StoreErrorDetails } from "@hookline/core";
import { triesSpentOn } from "./util/retry.js";

/**
 * Run a store operation; driver failures surface as HOOKLINE_STORE_ERROR naming the operation.
 * A conflict the store already retried to the end of its budget is marked `retryable: false`.
 */
export async function storeOp<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (cause) {
    if (cause instanceof HooklineError) throw cause;
    const tries = triesSpentOn(cause);
    if (tries === undefined) throw new HooklineError("HOOKLINE_STORE_ERROR", what, { cause });
    const details: StoreErrorDetails = { retryable: false, tries };
    throw new HooklineError("HOOKLINE_STORE_ERROR", `${what} (still conflicting after ${tries} tries)`, {
      cause,
      details,
    });
  }
}
