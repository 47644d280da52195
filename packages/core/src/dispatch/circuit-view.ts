import type { CircuitTransition } from "../contracts/delivery-control.js";
import type { EndpointState } from "../contracts/store.js";

/**
 * This process's last word on which circuits are open, and until when: from the stored endpoint
 * states (re-read with the switches) and the transitions this process's own completions made.
 * Only a hint: emit() does not pre-claim a delivery for an endpoint it believes open, since the
 * store would hand it back (or, in parallel mode, it would be sent to a failing receiver). The
 * store decides; a stale "closed" here costs one demoted claim, a stale "open" one worker claim.
 */
export class CircuitView {
  readonly #openUntil = new Map<string, number>();

  /** Replace the view with the stored states. */
  load(states: readonly EndpointState[]): void {
    this.#openUntil.clear();
    for (const s of states) {
      if (s.circuit === "open" && s.openUntil) this.#openUntil.set(s.endpointId, s.openUntil.getTime());
    }
  }

  /** A transition this process's complete() reported. */
  apply(t: CircuitTransition): void {
    if (t.state === "open" && t.openUntil) this.#openUntil.set(t.endpointId, t.openUntil.getTime());
    else this.#openUntil.delete(t.endpointId);
  }

  /** Whether the endpoint's circuit is open and its cool-down not over at `now` (ms). */
  isOpen(endpointId: string, now: number): boolean {
    const until = this.#openUntil.get(endpointId);
    return until !== undefined && until > now;
  }
}
