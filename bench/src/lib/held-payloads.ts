import { buyerPayload } from "./payload.js";

/**
 * The baseline of an emit burst: `n` buyer payloads, each held by a promise until `release()`,
 * as emits waiting for a store hold theirs. `release()` resolves once every promise has run on.
 */
export function holdPayloads(n: number): { release(): Promise<void> } {
  let open = (): void => {};
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  const held = Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const payload = buyerPayload(i);
      await gate;
      return payload.buyerId.length;
    }),
  );
  return {
    async release() {
      open();
      await held;
    },
  };
}
