/** One subscription: a link in its signal's list, emptied when it is removed. */
interface Link {
  fn: (() => void) | undefined;
  prev: Link | undefined;
  next: Link | undefined;
}

const lists = new WeakMap<AbortSignal, Link>();

/**
 * Run `fn` when `signal` aborts; returns an unsubscribe. A worker passes one shutdown signal to
 * every concurrent send, and a listener per send would trip Node's MaxListenersExceededWarning
 * past 10; so each signal gets a single listener that fans out. The WeakMap lets a signal and
 * its subscribers be collected together.
 *
 * The subscribers are a linked list whose links are emptied on removal, not a Set. With a Set
 * here, about 3 KB per send reached V8's old space (a send's closures reach its whole attempt),
 * against about 150 bytes with emptied links, what undici alone leaves: a busy process then
 * grows its heap far less between full collections. An emptied link holds nothing.
 */
export function onAbort(signal: AbortSignal, fn: () => void): () => void {
  let head = lists.get(signal);
  if (head === undefined) {
    const created: Link = { fn: undefined, prev: undefined, next: undefined };
    signal.addEventListener("abort", () => {
      // Collected first: each call may unsubscribe its own link, or others.
      const fns: (() => void)[] = [];
      for (let link = created.next; link !== undefined; link = link.next) if (link.fn) fns.push(link.fn);
      for (const f of fns) f();
    });
    lists.set(signal, created);
    head = created;
  }
  const link: Link = { fn, prev: head, next: head.next };
  if (head.next !== undefined) head.next.prev = link;
  head.next = link;
  return () => {
    if (link.prev === undefined) return;
    link.prev.next = link.next;
    if (link.next !== undefined) link.next.prev = link.prev;
    link.fn = link.prev = link.next = undefined;
  };
}
