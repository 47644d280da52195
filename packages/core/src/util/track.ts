/**
 * Keep `p` in `pending` until it settles, so a stop() can wait for work already under way.
 * Returns `p` itself: callers still see its rejection.
 */
export function trackUntilSettled<T>(pending: Set<Promise<T>>, p: Promise<T>): Promise<T> {
  pending.add(p);
  const untrack = () => pending.delete(p);
  p.then(untrack, untrack);
  return p;
}
