/** One tracked promise; emptied once it settles. */
interface Link<T> {
  p: Promise<T> | undefined;
  at: number;
  prev: Link<T> | undefined;
  next: Link<T> | undefined;
}

/**
 * Promises under way, oldest first, each dropped as it settles, so a stop() can wait for work
 * already under way. A linked list whose links are emptied on removal, not a Set or a Map: a
 * long-lived Set of promises kept settled ones, and the values they settled with, reachable for
 * V8's young-generation collections, which then promoted them to old space (about 350 bytes per
 * promise in a send loop, against none with emptied links). An emptied link holds nothing.
 */
export class SettleList<T> {
  #oldest: Link<T> | undefined;
  #newest: Link<T> | undefined;
  #size = 0;

  /** Promises not settled yet. */
  get size(): number {
    return this.#size;
  }

  /** Track `p` until it settles, with `at` (e.g. when it started). Returns `p` itself. */
  add(p: Promise<T>, at = 0): Promise<T> {
    const link: Link<T> = { p, at, prev: this.#newest, next: undefined };
    if (this.#newest === undefined) this.#oldest = link;
    else this.#newest.next = link;
    this.#newest = link;
    this.#size++;
    // Registered before any caller's own handlers, so the promise is gone from the list by
    // the time they run.
    const drop = () => this.#drop(link);
    p.then(drop, drop);
    return p;
  }

  /** The `at` of the oldest promise not settled yet; undefined when none is. */
  get oldestAt(): number | undefined {
    return this.#oldest?.at;
  }

  /** The promises not settled yet, oldest first. */
  toArray(): Promise<T>[] {
    const out: Promise<T>[] = [];
    for (let link = this.#oldest; link !== undefined; link = link.next) out.push(link.p as Promise<T>);
    return out;
  }

  #drop(link: Link<T>): void {
    if (link.p === undefined) return;
    if (link.prev === undefined) this.#oldest = link.next;
    else link.prev.next = link.next;
    if (link.next === undefined) this.#newest = link.prev;
    else link.next.prev = link.prev;
    link.p = link.prev = link.next = undefined;
    this.#size--;
  }
}
