/** A per-item failure returned by a flush function: only that item's caller is rejected. */
export class ItemFailure {
  constructor(readonly error: unknown) {}
}

/** Options for MicroBatcher. */
export interface MicroBatcherOptions {
  /** Largest batch handed to the flush function. */
  readonly maxSize: number;
  /** Flushes allowed in flight at once. */
  readonly maxConcurrent: number;
  /**
   * How long a batch smaller than maxSize may wait for company before it is written. 0 flushes on
   * the next macrotask (lowest latency); a few ms turns many one-row transactions into one.
   * @default 0
   */
  readonly lingerMs?: number;
}

interface Pending<T, R> {
  item: T;
  resolve: (r: R) => void;
  reject: (e: unknown) => void;
}

/**
 * Groups concurrent calls into one store write. The first item waits one macrotask so items added
 * in the same tick join it; while a flush is in flight, new items queue and go out together in
 * the next one. Under load batches grow by themselves; when idle, latency is one write.
 */
export class MicroBatcher<T, R> {
  readonly #flushFn: (items: T[]) => Promise<(R | ItemFailure)[]>;
  readonly #opts: MicroBatcherOptions;
  #queue: Pending<T, R>[] = [];
  #inFlight = 0;
  #scheduled = false;
  #idle: (() => void)[] = [];

  constructor(flushFn: (items: T[]) => Promise<(R | ItemFailure)[]>, opts: MicroBatcherOptions) {
    this.#flushFn = flushFn;
    this.#opts = opts;
  }

  /** Queue `item`; resolves with its own result once its batch is written. */
  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      this.#schedule();
    });
  }

  /** Items waiting or being written. */
  get size(): number {
    return this.#queue.length + this.#inFlight;
  }

  /** Resolve once nothing is queued or in flight. */
  drain(): Promise<void> {
    if (this.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #schedule(): void {
    if (this.#scheduled || this.#inFlight >= this.#opts.maxConcurrent || this.#queue.length === 0) return;
    this.#scheduled = true;
    const go = () => {
      this.#scheduled = false;
      void this.#flush();
    };
    const linger = this.#opts.lingerMs ?? 0;
    // Not unref'd: items queued are work under way (emits and sends await them), and with no
    // socket or pool open (an in-memory store) this timer alone keeps the process up to finish it.
    if (linger > 0 && this.#queue.length < this.#opts.maxSize) setTimeout(go, linger);
    else setImmediate(go);
  }

  async #flush(): Promise<void> {
    if (this.#queue.length === 0 || this.#inFlight >= this.#opts.maxConcurrent) return;
    const batch = this.#queue.splice(0, this.#opts.maxSize);
    this.#inFlight++;
    try {
      const results = await this.#flushFn(batch.map((p) => p.item));
      for (const [i, p] of batch.entries()) {
        const r = results[i];
        if (r instanceof ItemFailure) p.reject(r.error);
        else p.resolve(r as R);
      }
    } catch (err) {
      for (const p of batch) p.reject(err);
    } finally {
      this.#inFlight--;
      this.#schedule();
      if (this.size === 0) for (const done of this.#idle.splice(0)) done();
    }
  }
}
