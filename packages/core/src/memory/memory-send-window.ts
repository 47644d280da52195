import type { EndpointControl } from "../contracts/delivery-control.js";

type Rate = NonNullable<EndpointControl["rateLimit"]>;

/**
 * The sliding window over a rate-limited endpoint's claims, as the SQL stores keep it: no window
 * this long holds more than perSecond sends. A second plus a 100 ms guard, so the spread between
 * a claim and the request's arrival cannot carry a send into a receiver's second that already
 * holds perSecond of them; a steady backlog goes at perSecond × 1000 / 1100.
 */
export const SEND_WINDOW_MS = 1100;

/** Sends one window may hold after the burst; a fractional rate lets one go (the bucket spaces them). */
const perWindow = (rate: Rate) => Math.max(1, Math.floor(rate.perSecond + 1e-9));

/** Recent claims per endpoint, each (time, sends), oldest first. */
export class SendWindows {
  readonly #claims = new Map<string, { at: number; n: number }[]>();

  /**
   * How many more sends the window lets go. The bucket's burst may exceed perSecond only when
   * the bucket is full (the endpoint was quiet long enough to refill it): that is the burst.
   */
  room(endpointId: string, rate: Rate, tokens: number, now: number): number {
    const kept = (this.#claims.get(endpointId) ?? []).filter((c) => c.at > now - SEND_WINDOW_MS);
    this.#claims.set(endpointId, kept);
    const inWindow = kept.reduce((sum, c) => sum + c.n, 0);
    const cap = perWindow(rate);
    const full = rate.burst > cap && tokens >= rate.burst - 1e-9;
    return (full ? rate.burst : cap) - inWindow;
  }

  record(endpointId: string, now: number, n: number): void {
    const kept = this.#claims.get(endpointId) ?? [];
    kept.push({ at: now, n });
    this.#claims.set(endpointId, kept);
  }

  /**
   * The bucket after a claim of `got` (0 included) the window allowed `room`. When the window
   * rather than the bucket held the claim back, the bucket keeps nothing: tokens the window would
   * not let go must not pile up while the backlog lasts, or they leave together when the window
   * moves on (or, with a burst above perSecond, as a second burst). So after the first window the
   * bucket paces the sends one by one. Undefined: the bucket is left as it was.
   */
  static tokensAfter(bucket: number, got: number, room: number): number | undefined {
    if (room < Math.floor(bucket + 1e-9)) return 0;
    return got > 0 ? bucket - got : undefined;
  }
}
