import type { BreakerSettings, CircuitState, CircuitTransition } from "./delivery-control.js";
import type { AttemptResult } from "./store.js";

/** The longest 429 pause: a Retry-After of days must not silence an endpoint for days. */
export const MAX_PAUSE_MS = 3_600_000;

/** Outcomes that say nothing about the receiver: an abort at stop, a cancel for a disabled endpoint. */
const NOT_THE_RECEIVER = new Set(["HOOKLINE_ABORTED", "HOOKLINE_ENDPOINT_DISABLED"]);

/** How a breaker counts one attempt. */
export function breakerVerdict(r: AttemptResult): "success" | "failure" | "ignored" {
  if (r.outcome.kind === "success") return "success";
  return NOT_THE_RECEIVER.has(r.outcome.error?.code ?? "") ? "ignored" : "failure";
}

/** The pause a 429 with Retry-After asks for, in ms (capped at MAX_PAUSE_MS); 0 when none. */
export function retryAfterPause(r: AttemptResult): number {
  const ms = r.outcome.retryAfterMs;
  if (r.outcome.status !== 429 || typeof ms !== "number" || !Number.isFinite(ms) || ms <= 0) return 0;
  return Math.min(Math.round(ms), MAX_PAUSE_MS);
}

/** The breaker part of an endpoint's stored state (times in ms since the epoch). */
export interface CircuitFields {
  circuit: CircuitState;
  failures: number;
  openUntil: number | null;
  cooldownMs: number | null;
  probeId: string | null;
  probeUntil: number | null;
}

/**
 * Move `s` on by one recorded attempt of its endpoint; returns the transition it made, if any.
 * Every store counts attempts with this one rule, so their breakers cannot drift apart: a
 * success resets the count (and closes the circuit when it was the probe), a failure counts
 * (opening at the threshold, or re-opening with a doubled cool-down when it was the probe), and
 * an attempt that never reached the receiver counts neither way (a lost probe is due again).
 */
export function stepCircuit(
  s: CircuitFields,
  r: AttemptResult,
  b: BreakerSettings,
  now: number,
): CircuitTransition | null {
  const verdict = breakerVerdict(r);
  const probe = s.circuit === "half_open" && s.probeId !== null && s.probeId === r.deliveryId;
  if (verdict === "ignored") {
    if (probe) Object.assign(s, { circuit: "open", probeId: null, probeUntil: null });
    return null;
  }
  if (verdict === "success") {
    s.failures = 0;
    if (!probe) return null;
    Object.assign(s, {
      circuit: "closed",
      openUntil: null,
      cooldownMs: null,
      probeId: null,
      probeUntil: null,
    });
    return { endpointId: r.endpointId, state: "closed", consecutiveFailures: 0, openUntil: null };
  }
  s.failures += 1;
  let cooldown: number;
  if (probe) cooldown = Math.min(2 * (s.cooldownMs ?? b.cooldownMs), b.maxCooldownMs);
  else if (s.circuit === "closed" && s.failures >= b.failureThreshold) cooldown = b.cooldownMs;
  else return null;
  Object.assign(s, {
    circuit: "open",
    cooldownMs: cooldown,
    openUntil: now + cooldown,
    probeId: null,
    probeUntil: null,
  });
  return {
    endpointId: r.endpointId,
    state: "open",
    consecutiveFailures: s.failures,
    openUntil: new Date(now + cooldown),
  };
}
