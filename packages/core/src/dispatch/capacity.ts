import { SettleList } from "../util/settle-list.js";

/** A send waiting for a slot, with what to do if it never gets one. */
export interface Queued<T> {
  readonly start: () => Promise<T>;
  /** Whatever the caller needs to give the job back (e.g. its claim). */
  readonly tag: unknown;
  readonly resolve: (v: T) => void;
  readonly reject: (e: unknown) => void;
}

/** Places emit() holds for its first attempts; each launch takes one, release() returns the rest. */
export class Reservation {
  #left: number;

  constructor(
    n: number,
    private readonly giveBack: (n: number) => void,
    private readonly onRelease: () => void = () => {},
  ) {
    this.#left = n;
  }

  /** Use one place (its attempt is being launched). */
  take(): void {
    if (this.#left <= 0) return;
    this.#left--;
    this.giveBack(1);
  }

  /** Return every place not taken (a duplicate, a failed insert); safe to call more than once. */
  release(): void {
    if (this.#left <= 0) return;
    this.giveBack(this.#left);
    this.#left = 0;
    this.onRelease();
  }
}

/** Limits of the hot path, from the worker options. */
export interface CapacityLimits {
  /** Sends at once; as many finished attempts may wait for their log write besides. */
  readonly maxInFlight: number;
  /** Claimed first attempts that may wait in memory for a send slot. */
  readonly maxQueued: number;
}

/** What emit() and the worker use: reserving places, and claiming no more than idle slots. */
export type CapacityView = Pick<
  Capacity<unknown>,
  "maxInFlight" | "claimable" | "free" | "reserve" | "waitForRoom" | "oldestSendMs" | "onFreed"
>;

/**
 * The one owner of capacity on the hot path, shared by emit(), the worker and the pipeline:
 * - sends: `maxInFlight` run at once, up to `maxQueued` more wait in memory;
 * - reservations: emit() takes its share synchronously, before its insert is awaited, so a burst of
 *   concurrent emits cannot overshoot the bound;
 * - results waiting to be recorded: at most `maxInFlight`; past that a finished send keeps its
 *   slot until there is room, so sending slows to the store's pace.
 */
export class Capacity<T> {
  /** Sends running now, oldest first, each with when it started. */
  readonly #running = new SettleList<T>();
  #onFreed: () => void = () => {};
  readonly #queue: Queued<T>[] = [];
  readonly #waiters = new Set<() => void>();
  #reserved = 0;
  #recording = 0;
  readonly #recordWaiters: (() => void)[] = [];
  readonly #maxInFlight: number;
  readonly #maxQueued: number;
  readonly #unreserve = (n: number): void => {
    this.#reserved = Math.max(0, this.#reserved - n);
  };

  constructor(limits: CapacityLimits) {
    this.#maxInFlight = limits.maxInFlight;
    this.#maxQueued = limits.maxQueued;
  }

  get maxInFlight(): number {
    return this.#maxInFlight;
  }

  get maxQueued(): number {
    return this.#maxQueued;
  }

  /** Idle send slots: what the worker may claim without anything waiting in memory. */
  get claimable(): number {
    return Math.max(0, this.#maxInFlight - this.#running.size - this.#queue.length - this.#reserved);
  }

  /** Places (running + queue) not taken or reserved: what emit() may still reserve. */
  get free(): number {
    return this.#maxInFlight + this.#maxQueued - this.#running.size - this.#queue.length - this.#reserved;
  }

  /** Hold `n` places (running + queue) if they are free; undefined when they are not. */
  reserve(n: number): Reservation | undefined {
    if (n <= 0 || this.free < n) return undefined;
    this.#reserved += n;
    return new Reservation(n, this.#unreserve, this.#freed);
  }

  /** How long the oldest send running now has been running (0 when none runs), by `now`. */
  oldestSendMs(now: number): number {
    const startedAt = this.#running.oldestAt;
    return startedAt === undefined ? 0 : now - startedAt;
  }

  /** Call `listener` whenever places come free (a send ended, a reservation was given back). */
  onFreed(listener: () => void): void {
    this.#onFreed = listener;
  }

  readonly #freed = (): void => this.#onFreed();

  /** Resolve when a send slot is claimable, or when `signal` aborts; never leaves a listener behind. */
  waitForRoom(signal: AbortSignal): Promise<void> {
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

  /** Run `start` now if a send slot is idle, else queue it. `reservation` gives up one place. */
  run(start: () => Promise<T>, reservation: Reservation | undefined, tag: unknown): Promise<T> {
    reservation?.take();
    if (this.#running.size < this.#maxInFlight) return this.#track(start());
    return new Promise<T>((resolve, reject) => this.#queue.push({ start, tag, resolve, reject }));
  }

  /** Remove and return everything still queued (at stop). */
  takeQueued(): Queued<T>[] {
    return this.#queue.splice(0);
  }

  /** Promises of the sends running now. */
  get running(): readonly Promise<T>[] {
    return this.#running.toArray();
  }

  /**
   * Take a place among results waiting to be recorded: undefined when taken at once, else a
   * promise that resolves once it is. Give it back with doneRecording().
   */
  startRecording(): Promise<void> | undefined {
    if (this.#recording < this.#maxInFlight) {
      this.#recording++;
      return undefined;
    }
    return this.#startRecordingLater();
  }

  doneRecording(): void {
    this.#recording--;
    this.#recordWaiters.shift()?.();
  }

  async #startRecordingLater(): Promise<void> {
    while (this.#recording >= this.#maxInFlight) {
      await new Promise<void>((resolve) => this.#recordWaiters.push(resolve));
    }
    this.#recording++;
  }

  #track(p: Promise<T>): Promise<T> {
    // The list drops p before untrack runs: its handler was registered first.
    this.#running.add(p, performance.now());
    const untrack = () => {
      const next = this.#queue.shift();
      if (next) this.#track(next.start()).then(next.resolve, next.reject);
      // Copied first: each wake-up removes itself from the set.
      if (this.#waiters.size > 0) for (const wake of [...this.#waiters]) wake();
      this.#onFreed();
    };
    p.then(untrack, untrack);
    return p;
  }
}
