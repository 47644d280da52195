const subscribers = new WeakMap<AbortSignal, Set<() => void>>();

/**
 * Run `fn` when `signal` aborts; returns an unsubscribe. A worker passes one shutdown signal to
 * every concurrent send, and a listener per send would trip Node's MaxListenersExceededWarning
 * past 10; so each signal gets a single listener that fans out. The WeakMap lets a signal and
 * its subscribers be collected together.
 */
export function onAbort(signal: AbortSignal, fn: () => void): () => void {
  let fns = subscribers.get(signal);
  if (fns === undefined) {
    const created = new Set<() => void>();
    signal.addEventListener("abort", () => {
      for (const f of [...created]) f();
      created.clear();
    });
    subscribers.set(signal, created);
    fns = created;
  }
  const set = fns;
  set.add(fn);
  return () => {
    set.delete(fn);
  };
}
