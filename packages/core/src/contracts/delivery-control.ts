/**
 * Per-endpoint limits a claimer passes to the store, from its own endpoint config. The store
 * enforces them across every process sharing the log; an endpoint not listed has no limit and
 * no breaker.
 */
export interface EndpointControl {
  readonly endpointId: string;
  /** Token bucket: sustained sends per second and how many may go at once after a pause. */
  readonly rateLimit?: { readonly perSecond: number; readonly burst: number };
  /** At most this many of the endpoint's deliveries sending at once, all processes together. */
  readonly maxConcurrent?: number;
  /** Circuit breaker; absent: the endpoint has none. */
  readonly breaker?: BreakerSettings;
}

/** When a circuit opens and how long it stays open. */
export interface BreakerSettings {
  /** Consecutive failed attempts (all processes) that open the circuit. */
  readonly failureThreshold: number;
  /** The first cool-down; each failed probe doubles it. */
  readonly cooldownMs: number;
  /** The longest cool-down. */
  readonly maxCooldownMs: number;
}

/**
 * `closed`: deliveries flow. `open`: nothing is claimed until the cool-down ends. `half_open`:
 * one probe delivery is out; its result closes or re-opens the circuit.
 */
export const CIRCUIT_STATES = ["closed", "open", "half_open"] as const;
export type CircuitState = (typeof CIRCUIT_STATES)[number];

/** A circuit that opened or closed during a complete() call. */
export interface CircuitTransition {
  readonly endpointId: string;
  readonly state: "open" | "closed";
  /** Consecutive failed attempts when it changed (0 when it closed). */
  readonly consecutiveFailures: number;
  /** When the cool-down ends (open); null when it closed. */
  readonly openUntil: Date | null;
}
