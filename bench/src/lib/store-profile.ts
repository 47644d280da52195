import type { DeliveryStore } from "@hookline/core";

/** Per store method: successful calls, total ms, and items per call (batch sizes in, rows out). */
export type StoreProfile = Record<string, { calls: number; ms: number; items: number }>;

/**
 * Wrap `inner` so every method call is timed (what proto-prof did): shows where the time of an
 * end-to-end run or a worker goes. The proxy costs microseconds per call; calls are batched.
 */
export function profiledStore(inner: DeliveryStore): { store: DeliveryStore; profile: StoreProfile } {
  const profile: StoreProfile = {};
  const store = new Proxy(inner, {
    get(target, key: string) {
      const v = (target as unknown as Record<string, unknown>)[key];
      if (typeof v !== "function") return v;
      return async (...args: unknown[]) => {
        const t = performance.now();
        const r = await (v as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        const p = profile[key] ?? { calls: 0, ms: 0, items: 0 };
        profile[key] = p;
        p.calls++;
        p.ms += performance.now() - t;
        p.items += Array.isArray(args[0]) ? args[0].length : Array.isArray(r) ? r.length : 0;
        return r;
      };
    },
  });
  return { store, profile };
}

/** Compact, rounded copy for the report: ms total, ms per call, items per call. */
export function summarizeProfile(
  p: StoreProfile,
): Record<string, { calls: number; msTotal: number; msPerCall: number; itemsPerCall: number }> {
  return Object.fromEntries(
    Object.entries(p).map(([k, v]) => [
      k,
      {
        calls: v.calls,
        msTotal: Math.round(v.ms),
        msPerCall: Math.round((v.ms / v.calls) * 10) / 10,
        itemsPerCall: Math.round((v.items / v.calls) * 10) / 10,
      },
    ]),
  );
}
