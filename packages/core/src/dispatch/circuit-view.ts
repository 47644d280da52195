import type { CircuitTransition } from "../contracts/delivery-control.js";
import type { EndpointState } from "../contracts/store.js";

/**
 * This process's last word on which endpoints the store holds back, and until when: open
 * circuits and 429 pauses, from the stored endpoint states (re-read with the switches) and from
 * what this process's own completions reported. Only a hint: emit() does not pre-claim a delivery
 * for an endpoint it believes held, since the store would hand it back (or, in parallel mode, it
 * would already be on its way to a receiver that asked for a break). The store decides; a stale
 * "free" here costs one demoted claim, a stale "held" one worker claim.
 */
export class CircuitView {
  readonly #openUntil = new Map<string, number>();
  readonly #pausedUntil = new Map<string, number>();

  /** Replace the view with the stored states. */
  load(states: readonly EndpointState[]): void {
    this.#openUntil.clear();
    this.#pausedUntil.clear();
    for (const s of states) {
      if (s.circuit === "open" && s.openUntil) this.#openUntil.set(s.endpointId, s.openUntil.getTime());
      if (s.pausedUntil) this.#pausedUntil.set(s.endpointId, s.pausedUntil.getTime());
    }
  }

  /** A transition this process's complete() reported. */
  apply(t: CircuitTransition): void {
    if (t.state === "open" && t.openUntil) this.#openUntil.set(t.endpointId, t.openUntil.getTime());
    else this.#openUntil.delete(t.endpointId);
  }

  /** The endpoint answered 429 with Retry-After: the store pauses it until `until` (ms). */
  pause(endpointId: string, until: number): void {
    this.#pausedUntil.set(endpointId, Math.max(until, this.#pausedUntil.get(endpointId) ?? 0));
  }

  /** Whether the endpoint's circuit is open, or it is paused, at `now` (ms). */
  holds(endpointId: string, now: number): boolean {
    return (this.#openUntil.get(endpointId) ?? 0) > now || (this.#pausedUntil.get(endpointId) ?? 0) > now;
  }
}
