/** Per-origin request slots. */
export interface OriginLimiter {
  /** Take a slot for `origin`; false when all are taken. */
  tryAcquire(origin: string): boolean;
  release(origin: string): void;
}

/**
 * Count requests per origin so one slow receiver cannot queue unbounded work (and memory) in the
 * pool: past the limit a request is refused at once instead of waiting behind the others.
 */
export function createOriginLimiter(limit: number): OriginLimiter {
  const counts = new Map<string, number>();
  return {
    tryAcquire(origin) {
      const n = counts.get(origin) ?? 0;
      if (n >= limit) return false;
      counts.set(origin, n + 1);
      return true;
    },
    release(origin) {
      const n = counts.get(origin) ?? 0;
      if (n <= 1) counts.delete(origin);
      else counts.set(origin, n - 1);
    },
  };
}
