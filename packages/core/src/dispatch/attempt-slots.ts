/** A job waiting for a slot, with what to do if it never gets one. */
export interface Queued<T> {
  readonly start: () => Promise<T>;
  /** Whatever the caller needs to give the job back (e.g. its claim). */
  readonly tag: unknown;
  readonly resolve: (v: T) => void;
  readonly reject: (e: unknown) => void;
}

/**
 * Capacity for attempts: `maxInFlight` run at once, up to `maxQueued` more wait in memory, and
 * emit() reserves its share synchronously before its insert is awaited, so a burst of concurrent
 * emits cannot overshoot the bound.
 */
export class AttemptSlots<T> {
  readonly #running = new Set<Promise<T>>();
  readonly #queue: Queued<T>[] = [];
  readonly #waiters = new Set<() => void>();
  #reserved = 0;

  constructor(
    private readonly maxInFlight: number,
    private readonly maxQueued: number,
  ) {}

  /** Room left for new first attempts (running + queue), net of reservations. */
  get free(): number {
    return this.maxInFlight + this.maxQueued - this.#running.size - this.#queue.length - this.#reserved;
  }

  /** Idle running slots: what the worker may claim without anything waiting in memory. */
  get claimable(): number {
    return Math.max(0, this.maxInFlight - this.#running.size - this.#queue.length - this.#reserved);
  }

  /** Promises of the attempts running now. */
  get running(): readonly Promise<T>[] {
    return [...this.#running];
  }

  /** Reserve `n` places if they are free; the caller must later run or unreserve each. */
  tryReserve(n: number): boolean {
    if (n <= 0 || this.free < n) return false;
    this.#reserved += n;
    return true;
  }

  unreserve(n: number): void {
    this.#reserved = Math.max(0, this.#reserved - n);
  }

  /** Run `start` now if a slot is idle, else queue it. `reserved` consumes one reservation. */
  run(start: () => Promise<T>, reserved: boolean, tag?: unknown): Promise<T> {
    if (reserved) this.unreserve(1);
    if (this.#running.size < this.maxInFlight) return this.#track(start());
    return new Promise<T>((resolve, reject) => this.#queue.push({ start, tag, resolve, reject }));
  }

  /** Remove and return everything still queued (at stop). */
  takeQueued(): Queued<T>[] {
    return this.#queue.splice(0);
  }

  /** Resolve when a slot is claimable, or when `signal` aborts; never leaves a listener behind. */
  waitForSlot(signal: AbortSignal): Promise<void> {
    if (this.claimable > 0 || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        signal.removeEventListener("abort", done);
        this.#waiters.delete(done);
        resolve();
      };
      this.#waiters.add(done);
      signal.addEventListener("abort", done, { once: true });
    });
  }

  #track(p: Promise<T>): Promise<T> {
    this.#running.add(p);
    const untrack = () => {
      this.#running.delete(p);
      const next = this.#queue.shift();
      if (next) this.#track(next.start()).then(next.resolve, next.reject);
      // Copied first: each wake-up removes itself from the set.
      if (this.#waiters.size > 0) for (const wake of [...this.#waiters]) wake();
    };
    p.then(untrack, untrack);
    return p;
  }
}
