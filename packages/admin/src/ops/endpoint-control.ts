import {
  type BreakerSettings,
  type CircuitState,
  DEFAULT_BREAKER,
  type EndpointState,
  type ResolvedEndpoint,
} from "@hookline/core";

/** An endpoint's circuit breaker as the store holds it for every process. */
export interface CircuitView {
  /**
   * closed: deliveries flow. open: nothing is claimed until `openUntil`; after it, the next claim
   * sends one probe. half_open: the probe is out; its result closes or re-opens the circuit.
   * A store without breakers reads as closed.
   */
  readonly state: CircuitState;
  /** Consecutive failed attempts, all processes together, as the breaker counts them. */
  readonly consecutiveFailures: number;
  /** When an open circuit's cool-down ends; null when closed. */
  readonly openUntil: Date | null;
}

/** Delivery control as the endpoint is configured here (each process passes its own to the store). */
export interface ControlView {
  /** "subject": one subject's deliveries go out one at a time, in emit order. */
  readonly ordering: "none" | "subject";
  /** False when the endpoint opts out of supersede (every state is delivered). */
  readonly supersede: boolean;
  /** Sends per second and the burst after a pause; null when unlimited. */
  readonly rateLimit: { readonly perSecond: number; readonly burst: number } | null;
  /** Most deliveries sending at once, all processes together; null when unlimited. */
  readonly maxConcurrent: number | null;
  /** The breaker's settings; null when the endpoint has none (`circuitBreaker: false`). */
  readonly circuitBreaker: BreakerSettings | null;
}

/** The circuit of one endpoint from its stored state (none yet: closed, no failures). */
export function circuitView(state: EndpointState | undefined): CircuitView {
  const open = state?.circuit !== undefined && state.circuit !== "closed";
  return {
    state: state?.circuit ?? "closed",
    consecutiveFailures: state?.consecutiveFailures ?? 0,
    openUntil: open ? (state?.openUntil ?? null) : null,
  };
}

/**
 * When claims skip the endpoint because it answered 429 with Retry-After; null when that time has
 * passed (the store keeps the last one), so a value always means "paused now".
 */
export function pausedUntil(state: EndpointState | undefined, now: Date): Date | null {
  const until = state?.pausedUntil ?? null;
  return until !== null && until.getTime() > now.getTime() ? until : null;
}

/** The control fields of a resolved endpoint, defaults filled in as core applies them. */
export function controlView(ep: ResolvedEndpoint): ControlView {
  return {
    ordering: ep.ordering,
    supersede: ep.supersede,
    rateLimit: ep.rateLimit ?? null,
    maxConcurrent: ep.maxConcurrent ?? null,
    circuitBreaker: ep.circuitBreaker === false ? null : ep.circuitBreaker,
  };
}

/** True for the breaker every endpoint gets unless configured otherwise. */
export function isDefaultBreaker(b: BreakerSettings): boolean {
  return (
    b.failureThreshold === DEFAULT_BREAKER.failureThreshold &&
    b.cooldownMs === DEFAULT_BREAKER.cooldownMs &&
    b.maxCooldownMs === DEFAULT_BREAKER.maxCooldownMs
  );
}
