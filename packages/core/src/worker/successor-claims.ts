import type { EndpointControl } from "../contracts/delivery-control.js";
import type { ClaimedDelivery, DeliveryStore, SubjectKey } from "../contracts/store.js";
import type { CapacityView, Reservation } from "../dispatch/capacity.js";
import type { Clock } from "../util/clock.js";
import type { Logger } from "../util/logger.js";

/** What SuccessorClaims is built from: the worker's own settings and hands. */
export interface SuccessorClaimsOptions {
  readonly store: DeliveryStore;
  readonly capacity: CapacityView;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly leaseMs: number;
  readonly batchSize: number;
  readonly workerId: string;
  readonly endpointIds: readonly string[];
  readonly controls: readonly EndpointControl[];
  /** Whether the worker runs: a stopped worker claims nothing. */
  readonly active: () => boolean;
  /** Start the claimed deliveries, each taking one place of the reservation. */
  readonly launch: (claimed: readonly ClaimedDelivery[], claimedAt: number, reservation: Reservation) => void;
  /** Give the claimed deliveries back unsent (the worker stopped while they were claimed). */
  readonly giveBack: (claimed: readonly ClaimedDelivery[], claimedAt: number) => Promise<void>;
  /** Wake the worker's ordinary claim: something was left for it. */
  readonly nudge: () => void;
}

/**
 * When an ordered delivery ends, the next one of its subject may go. Waiting for the worker's
 * next claim would make each step of a subject's line cost a scan of the due range, which steps
 * over every delivery held behind one in flight. This claims the next delivery of just those
 * subjects (claimDue `subjects`, through the ordering index), as soon as their predecessors are
 * recorded, a batch at a time. Best effort: what it leaves (no free slot, a failed claim, a limit
 * of the endpoint) the worker's ordinary claim still finds, and is woken for.
 */
export class SuccessorClaims {
  readonly #o: SuccessorClaimsOptions;
  readonly #waiting = new Map<string, SubjectKey>();
  // Endpoints whose rate limit or cap may hold back a successor that is due: the worker's claim
  // must look again soon (its idle wait knows their refill), not at the next poll.
  readonly #limited: ReadonlySet<string>;
  #running: Promise<void> | undefined;

  constructor(o: SuccessorClaimsOptions) {
    this.#o = o;
    this.#limited = new Set(
      o.controls.filter((c) => c.rateLimit || c.maxConcurrent !== undefined).map((c) => c.endpointId),
    );
  }

  /** An ordered delivery of `key` ended here: claim the subject's next one now. */
  add(key: SubjectKey): void {
    if (!this.#o.active()) return;
    // Every slot busy and no claim under way: what #drain() would do at once, without a promise
    // per ended delivery (in a busy process, nearly every one ends so).
    if (this.#running === undefined && this.#o.capacity.claimable <= 0) {
      this.#o.nudge();
      return;
    }
    this.#waiting.set(`${key.endpointId}\u0000${key.subject}`, key);
    this.#kick();
  }

  /** Resolves once no claim of successors is running (stop() waits for it). */
  async settled(): Promise<void> {
    while (this.#running) await this.#running;
  }

  #kick(): void {
    if (this.#running) return;
    this.#running = this.#drain().finally(() => {
      this.#running = undefined;
      if (this.#waiting.size > 0 && this.#o.active()) this.#kick();
    });
  }

  async #drain(): Promise<void> {
    const o = this.#o;
    while (this.#waiting.size > 0) {
      if (!o.active()) return this.#waiting.clear();
      const room = Math.min(this.#waiting.size, o.batchSize, o.capacity.claimable);
      const reservation = room > 0 ? o.capacity.reserve(room) : undefined;
      if (reservation === undefined) {
        // Every slot is busy: the worker claims when one frees up.
        this.#waiting.clear();
        return o.nudge();
      }
      const subjects = this.#take(room);
      const claimedAt = o.clock.now().getTime();
      let claimed: ClaimedDelivery[];
      try {
        claimed = await o.store.claimDue({
          limit: room,
          leaseMs: o.leaseMs,
          workerId: o.workerId,
          endpointIds: o.endpointIds,
          controls: o.controls,
          subjects,
        });
      } catch (error) {
        reservation.release();
        // The worker's own claim meets the same store, and reports and backs off as it should.
        o.logger.debug({ error: String(error) }, "claiming the next deliveries of ordered subjects failed");
        this.#waiting.clear();
        return o.nudge();
      }
      if (!o.active()) {
        reservation.release();
        await o.giveBack(claimed, claimedAt);
        return this.#waiting.clear();
      }
      o.launch(claimed, claimedAt, reservation);
      reservation.release();
      if (claimed.length < subjects.length && subjects.some((k) => this.#limited.has(k.endpointId)))
        o.nudge();
    }
  }

  #take(n: number): SubjectKey[] {
    const taken: SubjectKey[] = [];
    for (const [k, key] of this.#waiting) {
      if (taken.length === n) break;
      this.#waiting.delete(k);
      taken.push(key);
    }
    return taken;
  }
}
