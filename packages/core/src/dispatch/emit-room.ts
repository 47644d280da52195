import type { CapacityView } from "./capacity.js";

/**
 * Emits wait for room in memory (Capacity.free) only while sends are quick. Once the oldest send
 * running has taken this long, receivers are answering slowly or not at all, and emit() must not
 * be held to their pace: the emits waiting go on, and their deliveries are stored for the worker.
 * The same holds once emits have found no room for this long, whatever keeps the places taken
 * (a worker draining a backlog through quick sends, say): no emit waits for room much longer.
 */
export const SLOW_SEND_MS = 1_000;

/**
 * Whether an emit may start now: the places it will reserve are free in memory, counting those
 * that emits already admitted will reserve, or sends are slow, or emits have waited too long.
 * With hysteresis: once the room is used up, emits wait until a whole insert batch fits (at most
 * half the places), so they are admitted and inserted a batch at a time, not one per place freed.
 */
export class EmitRoom {
  /** Places that emits admitted will reserve and have not yet. */
  #expecting = 0;
  #roomy = true;
  readonly #all: number;
  readonly #batch: number;
  /** Since when emits have found no room (undefined while they do, or none waits). */
  #stalledSince: number | undefined;
  /** Looks at the room again when nothing frees a place meanwhile. Not unref'd: emits await it. */
  #recheck: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(
    private readonly capacity: CapacityView,
    insertBatchSize: number,
    private readonly onRecheck: () => void,
  ) {
    this.#all = capacity.free;
    this.#batch = Math.max(1, Math.min(insertBatchSize, Math.floor(this.#all / 2)));
  }

  /** The places an emit sending to `n` endpoints counts for: more than all could never fit. */
  cost(n: number): number {
    return Math.min(n, this.#all);
  }

  /** An emit was admitted that will reserve `places`. */
  expect(places: number): void {
    this.#expecting += places;
  }

  /** An emit admitted has reserved what it needed (or failed before it did). */
  planned(places: number): void {
    this.#expecting -= places;
  }

  /** Whether an emit that will reserve `places` may start now. */
  mayAdmit(places: number): boolean {
    if (places === 0) return true;
    const room = this.capacity.free - this.#expecting;
    if (room < places) this.#roomy = false;
    else if (room >= Math.max(this.#batch, places)) this.#roomy = true;
    if (this.#roomy) {
      this.#stalledSince = undefined;
      return true;
    }
    const now = performance.now();
    this.#stalledSince ??= now;
    const waited = Math.max(this.capacity.oldestSendMs(now), now - this.#stalledSince);
    if (waited >= SLOW_SEND_MS) return true;
    if (this.#recheck === undefined && !this.#closed)
      this.#recheck = setTimeout(
        () => {
          this.#recheck = undefined;
          this.onRecheck();
        },
        Math.max(10, SLOW_SEND_MS - waited),
      );
    return false;
  }

  /** No emit waits any more: neither the stall nor the recheck goes on. */
  idle(): void {
    this.#stalledSince = undefined;
    // Called at the end of every send: the common case has no timer to clear.
    if (this.#recheck === undefined) return;
    clearTimeout(this.#recheck);
    this.#recheck = undefined;
  }

  /** emit() refuses from now on: nothing is rechecked again. */
  close(): void {
    this.#closed = true;
    this.idle();
  }
}
