/**
 * Backpressure inside emit(): at most `limit` emits are built and stored at once, and only while
 * `mayAdmit(places)` says there is room for the places the next one will send to. The others
 * wait, in call order, as one small record each (`T`: the call's arguments and how to settle its
 * promise) before they validate or build anything: no body, event, span, timer or place
 * in an insert batch.
 */
export class EmitGate<T> {
  readonly #limit: number;
  readonly #mayAdmit: (places: number) => boolean;
  readonly #placesOf: (entry: T) => number;
  #active = 0;
  // A queue as an array with a moving head: shift() on a long array copies it every time.
  #waiting: (T | undefined)[] = [];
  #head = 0;

  constructor(
    limit: number,
    mayAdmit: (places: number) => boolean = () => true,
    placesOf: (entry: T) => number = () => 0,
  ) {
    this.#limit = limit;
    this.#mayAdmit = mayAdmit;
    this.#placesOf = placesOf;
  }

  /** Emits waiting for room. */
  get waiting(): number {
    return this.#waiting.length - this.#head;
  }

  /**
   * Take a place for an emit that will reserve `places` if one is free and nobody waits (true);
   * else (false) the caller queues its entry with wait().
   */
  enter(places = 0): boolean {
    if (this.#active < this.#limit && this.waiting === 0 && this.#mayAdmit(places)) {
      this.#active++;
      return true;
    }
    return false;
  }

  /** Queue `entry` (enter() said no): admit() or leave() hands it a place in call order. */
  wait(entry: T): void {
    this.#waiting.push(entry);
  }

  /** A place was given up; admit() hands it on. */
  leave(): void {
    this.#active--;
  }

  /**
   * Admit the longest-waiting entry if a place is free and `mayAdmit()` allows (returned, its
   * place taken: the caller starts it before asking again), else undefined.
   */
  admit(): T | undefined {
    if (this.waiting === 0 || this.#active >= this.#limit) return undefined;
    const next = this.#waiting[this.#head] as T;
    if (!this.#mayAdmit(this.#placesOf(next))) return undefined;
    this.#active++;
    // Cleared, so an emit that has started is not kept reachable from here.
    this.#waiting[this.#head++] = undefined;
    if (this.#head === this.#waiting.length) {
      this.#waiting = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#waiting.length) {
      this.#waiting = this.#waiting.slice(this.#head);
      this.#head = 0;
    }
    return next;
  }

  /** Remove and return every waiting entry (at stop). */
  takeWaiting(): T[] {
    const all = this.#waiting.slice(this.#head) as T[];
    this.#waiting = [];
    this.#head = 0;
    return all;
  }
}
