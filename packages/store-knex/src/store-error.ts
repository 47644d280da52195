import { HooklineError } from "@hookline/core";

/** Run a store operation; driver failures surface as HOOKLINE_STORE_ERROR naming the operation. */
export async function storeOp<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (cause) {
    if (cause instanceof HooklineError) throw cause;
    throw new HooklineError("HOOKLINE_STORE_ERROR", what, { cause });
  }
}
