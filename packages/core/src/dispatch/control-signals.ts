import type { EventEmitter } from "eventemitter3";
import type { CircuitTransition, EndpointControl } from "../contracts/delivery-control.js";
import type { AttemptResult, SubjectKey } from "../contracts/store.js";
import type { ResolvedEndpoint } from "../endpoints/endpoint-config.js";
import type { LifecycleEvents } from "../lifecycle.js";
import type { Clock } from "../util/clock.js";
import type { Logger } from "../util/logger.js";
import type { EndpointSwitches } from "./endpoint-switches.js";

/** What ControlSignals is built from. */
export interface ControlSignalsOptions {
  /** Every configured endpoint. */
  readonly endpoints: readonly ResolvedEndpoint[];
  readonly switches: EndpointSwitches;
  readonly events: EventEmitter<LifecycleEvents>;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Wake the worker: something it may claim now became claimable. */
  readonly nudgeWorker: () => void;
  /** Have the worker claim the next delivery of an ordered subject whose delivery just ended. */
  readonly claimNext: (key: SubjectKey) => void;
}

/**
 * The pipeline's side of delivery control: the limits it passes to complete(), what it makes of
 * the circuit transitions complete() reports, and when a recorded attempt frees work the worker
 * should claim at once instead of at its next poll.
 */
export class ControlSignals {
  /** Every configured endpoint's limits and breaker, for claimDue and complete(). */
  readonly controls: readonly EndpointControl[];
  // A finished delivery here lets the next of its subject go.
  readonly #ordered: ReadonlySet<string>;
  // Any recorded attempt here frees a sending slot.
  readonly #capped: ReadonlySet<string>;
  readonly #switches: EndpointSwitches;
  readonly #events: EventEmitter<LifecycleEvents>;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #nudgeWorker: () => void;
  readonly #claimNext: (key: SubjectKey) => void;

  constructor(opts: ControlSignalsOptions) {
    this.controls = Object.freeze(opts.endpoints.map((e) => e.control));
    this.#ordered = new Set(opts.endpoints.filter((e) => e.ordering === "subject").map((e) => e.id));
    this.#capped = new Set(opts.endpoints.filter((e) => e.maxConcurrent !== undefined).map((e) => e.id));
    this.#switches = opts.switches;
    this.#events = opts.events;
    this.#logger = opts.logger;
    this.#clock = opts.clock;
    this.#nudgeWorker = opts.nudgeWorker;
    this.#claimNext = opts.claimNext;
  }

  /** Whether the endpoint orders its deliveries by subject. */
  ordered(endpointId: string): boolean {
    return this.#ordered.has(endpointId);
  }

  /** An attempt of a delivery of `subject` was recorded. */
  recorded(result: AttemptResult, subject: string | null): void {
    const { endpointId, next, outcome } = result;
    // The store pauses the endpoint for a 429's Retry-After (capped like the retry itself).
    if (outcome.status === 429 && outcome.retryAfterMs !== undefined && outcome.retryAfterMs > 0)
      this.#switches.circuits.pause(endpointId, this.#clock.now().getTime() + outcome.retryAfterMs);
    // A delivery without a subject holds nothing back; one with a subject lets the next go.
    if (next.status !== "pending" && subject !== null && this.#ordered.has(endpointId))
      this.#claimNext({ endpointId, subject });
    if (this.#capped.has(endpointId)) this.#nudgeWorker();
  }

  /**
   * A claim of a delivery of `subject` went back unsent: if its endpoint orders by subject, have
   * the worker claim that subject's next delivery now (the end of the one ahead asked already,
   * while this one still held its claim).
   */
  released(endpointId: string, subject: string | null): void {
    if (subject !== null && this.#ordered.has(endpointId)) this.#claimNext({ endpointId, subject });
  }

  /** Announce the circuits one complete() call opened or closed. Never throws. */
  circuits(transitions: readonly CircuitTransition[] | undefined): void {
    if (!transitions) return;
    for (const t of transitions) {
      try {
        this.#announce(t);
      } catch (error) {
        this.#logger.error(
          { endpointId: t.endpointId, error: String(error) },
          "announcing a circuit change failed",
        );
      }
    }
  }

  #announce(t: CircuitTransition): void {
    this.#switches.circuits.apply(t);
    const { endpointId, consecutiveFailures } = t;
    if (t.state === "open") {
      // A store always gives openUntil with an opening; now is the safe reading if it did not.
      const openUntil = t.openUntil ?? this.#clock.now();
      this.#logger.warn(
        { endpointId, consecutiveFailures, openUntil: openUntil.toISOString() },
        "circuit opened: deliveries to this endpoint wait until a probe succeeds",
      );
      this.#events.emit("endpoint.circuit_opened", { endpointId, consecutiveFailures, openUntil });
    } else {
      this.#logger.info({ endpointId }, "circuit closed: deliveries to this endpoint flow again");
      this.#events.emit("endpoint.circuit_closed", { endpointId });
      // Deliveries held while it was open are due: send them now, not at the next poll.
      this.#nudgeWorker();
    }
  }
}
