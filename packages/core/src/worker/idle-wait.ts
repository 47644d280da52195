import type { EndpointControl } from "../contracts/delivery-control.js";
import type { ClaimedDelivery } from "../contracts/store.js";

/** Claims made while rate-limited endpoints wait are at least this far apart. */
const MIN_LIMITED_POLL_MS = 20;
/** The shortest time the worker keeps taking tokens as they refill after a sign of work. */
const MIN_WINDOW_MS = 1_000;

/**
 * How long an empty claim waits while a rate-limited endpoint has work. An empty claim may mean
 * such an endpoint has no token left rather than nothing due. Waiting one token's refill
 * (1 / perSecond) takes each token soon after it appears: a worker that waited longer would find
 * several whole tokens at once, and those, taken together with the tokens that refill over the
 * next second, would put more than perSecond sends into one second.
 */
export function idleWait(pollIntervalMs: number, controls: readonly EndpointControl[]): number {
  let wait = pollIntervalMs;
  for (const c of controls) {
    if (!c.rateLimit) continue;
    const refillMs = 1000 / c.rateLimit.perSecond;
    wait = Math.min(wait, Math.max(MIN_LIMITED_POLL_MS, Math.floor(refillMs)));
  }
  return wait;
}

/**
 * The worker's wait after an empty claim. Short (see idleWait) only for a while after a sign that
 * a rate-limited endpoint has work: a claim that returned one of its deliveries (for two of its
 * refills, at least 1 s, so the gap to its next token is covered), or a nudge (new work, which
 * emits to such endpoints always send). Otherwise the poll interval: an idle deployment does not
 * take the endpoint's row lock in the store every few milliseconds.
 */
export class IdleWait {
  readonly #pollMs: number;
  readonly #shortMs: number;
  /** Rate-limited endpoint id → how long a claim of one of its deliveries keeps the wait short. */
  readonly #windows = new Map<string, number>();
  readonly #nudgeWindowMs: number;
  #shortUntil = Number.NEGATIVE_INFINITY;

  constructor(pollIntervalMs: number, controls: readonly EndpointControl[]) {
    this.#pollMs = pollIntervalMs;
    this.#shortMs = idleWait(pollIntervalMs, controls);
    for (const c of controls) {
      if (!c.rateLimit) continue;
      const refillMs = Math.min(pollIntervalMs, 1000 / c.rateLimit.perSecond);
      this.#windows.set(c.endpointId, Math.max(MIN_WINDOW_MS, 2 * refillMs));
    }
    this.#nudgeWindowMs = Math.max(MIN_WINDOW_MS, ...this.#windows.values());
  }

  /** A claim made at `at` (ms) returned `claimed`. */
  claimed(claimed: readonly ClaimedDelivery[], at: number): void {
    if (this.#windows.size === 0) return;
    for (const d of claimed) {
      const window = this.#windows.get(d.endpointId);
      if (window !== undefined) this.#shortUntil = Math.max(this.#shortUntil, at + window);
    }
  }

  /** The worker was nudged at `at` (ms). */
  woken(at: number): void {
    if (this.#windows.size > 0) this.#shortUntil = Math.max(this.#shortUntil, at + this.#nudgeWindowMs);
  }

  /** How long an empty claim at `now` (ms) waits. */
  ms(now: number): number {
    return now < this.#shortUntil ? this.#shortMs : this.#pollMs;
  }
}
