import type { EndpointControl } from "@hookline/core";
import type { Knex } from "knex";
import type { StoreContext } from "../context.js";
import { num } from "../util/convert.js";

/**
 * The sliding window over a rate-limited endpoint's claims: no window this long holds more than
 * perSecond sends. A second plus a 100 ms guard, so the spread between a claim and the request's
 * arrival (a worker's scheduling, the connection; tens of ms with busy workers) cannot carry a
 * send into a receiver's second that already holds perSecond of them. The price: a steady backlog goes at perSecond × 1000 / 1100.
 */
export const SEND_WINDOW_MS = 1100;

type Rate = NonNullable<EndpointControl["rateLimit"]>;

/** Sends one window may hold after the burst; a fractional rate lets one go (the bucket spaces them). */
const perWindow = (rate: Rate) => Math.max(1, Math.floor(rate.perSecond + 1e-9));

/**
 * How many more sends the window lets go, given `inWindow` claimed in the last SEND_WINDOW_MS
 * and the bucket's `tokens`. The bucket's burst may exceed perSecond only when the bucket is
 * full (the endpoint was quiet long enough to refill it): that is the burst. A fractional rate
 * lets at least one go per window (the bucket spaces them).
 */
export function windowRoom(rate: Rate, tokens: number, inWindow: number): number {
  const cap = perWindow(rate);
  const full = rate.burst > cap && tokens >= rate.burst - 1e-9;
  return (full ? rate.burst : cap) - inWindow;
}

/**
 * The bucket after a claim of `got` (0 included) that the window allowed `room`. When the
 * window rather than the bucket held the claim back, the bucket keeps nothing: tokens the window
 * would not let go must not pile up while the backlog lasts, or they leave at once when the
 * window moves on (perSecond together, whose arrivals spread over the receiver's next second; or,
 * with a burst above perSecond, a second burst). So after the first window the bucket paces the
 * sends one by one. Undefined: the bucket is left as it was.
 */
export function tokensAfter(bucket: number, got: number, room: number): number | undefined {
  if (room < Math.floor(bucket + 1e-9)) return 0;
  return got > 0 ? bucket - got : undefined;
}

/**
 * Sends claimed in the window for each endpoint, after deleting the rows older than it. Callers
 * hold the endpoints' rows locked (SQLite: the one writer), so no other claim counts meanwhile.
 */
export async function sendsInWindow(
  ctx: StoreContext,
  trx: Knex.Transaction,
  now: number,
  endpointIds: readonly string[],
): Promise<Map<string, number>> {
  if (endpointIds.length === 0) return new Map();
  const since = now - SEND_WINDOW_MS;
  const table = ctx.t.endpointSends;
  await trx(table)
    .whereIn("endpoint_id", endpointIds as string[])
    .andWhere("sent_at", "<=", since)
    .delete();
  const rows = (await trx(table)
    .select("endpoint_id")
    .sum({ n: "n" })
    .whereIn("endpoint_id", endpointIds as string[])
    .groupBy("endpoint_id")) as { endpoint_id: string; n: unknown }[];
  return new Map(rows.map((r) => [r.endpoint_id, num(r.n)]));
}

/**
 * Record `n` sends of one endpoint, dated by the database clock as the claim ends (`nowSql`), not
 * as it began: the requests leave after the commit, and a later date only makes the window stricter.
 */
export async function recordSends(
  ctx: StoreContext,
  trx: Knex.Transaction,
  endpointId: string,
  nowSql: string,
  n: number,
): Promise<void> {
  await trx(ctx.t.endpointSends).insert({ endpoint_id: endpointId, sent_at: trx.raw(nowSql), n });
}
