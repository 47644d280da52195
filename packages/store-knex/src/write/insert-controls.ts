import type { NewEvent } from "@hookline/core";
import type { Knex } from "knex";
import type { StoreContext } from "../context.js";
import { chunk } from "../util/chunk.js";
import { num } from "../util/convert.js";
import { quoteId, rawRows, run, tuple } from "../util/sql.js";

const IDS_PER_STATEMENT = 500;

/**
 * Endpoints of `endpointIds` whose deliveries must not go out now: circuit open or half-open
 * (a probe decides), or paused by a 429. One read of the small endpoint table, which finds no
 * row, or closed ones, in the common case. It names no control column, so a log one step behind
 * (an insert between a deploy and its migrate()) reads as "nothing held" instead of failing.
 */
async function heldEndpoints(
  ctx: StoreContext,
  trx: Knex.Transaction,
  endpointIds: readonly string[],
): Promise<Set<string>> {
  const held = new Set<string>();
  const { dialect } = ctx;
  const table = quoteId(dialect, ctx.t.endpoints);
  for (const part of chunk(endpointIds, IDS_PER_STATEMENT)) {
    const rows = rawRows<Record<string, unknown>>(
      dialect,
      await run(
        trx,
        `SELECT e.*, ${dialect.nowMs()} AS db_now FROM ${table} e WHERE e.endpoint_id IN ${tuple(part.length)}`,
        part,
      ),
    );
    for (const r of rows) {
      const circuit = r.circuit ?? "closed";
      const paused = r.paused_until != null && num(r.paused_until) > num(r.db_now);
      if (circuit !== "closed" || paused) held.add(r.endpoint_id as string);
    }
  }
  return held;
}

/**
 * Put back the claimed deliveries of a batch just inserted whose endpoint is held (see
 * heldEndpoints): pending and due now, no attempt counted, no claim, as ordering's demotion does.
 * The emitter must not send them; a claim takes them once the circuit lets it (the probe) or the
 * pause ends. Runs before ordering and supersede's admission, so a newer state of the batch
 * supersedes an older one held here. Returns the ids put back.
 */
export async function holdClosedEndpoints(
  ctx: StoreContext,
  trx: Knex.Transaction,
  events: readonly NewEvent[],
): Promise<Set<string>> {
  const claimed = events.flatMap((e) => e.deliveries.filter((d) => d.claim && !d.cancelled));
  if (claimed.length === 0) return new Set();
  const held = await heldEndpoints(ctx, trx, [...new Set(claimed.map((d) => d.endpointId))].sort());
  const ids = claimed.filter((d) => held.has(d.endpointId)).map((d) => d.id);
  if (ids.length === 0) return new Set();
  await putBackUnclaimed(ctx, trx, ids);
  return new Set(ids);
}

/**
 * Deliveries this insert wrote claimed go back to pending, due now, with no attempt counted and
 * no claim: the emitter will not send them (InsertReport.unclaimed).
 */
export async function putBackUnclaimed(
  ctx: StoreContext,
  trx: Knex.Transaction,
  ids: readonly string[],
): Promise<void> {
  const now = ctx.dialect.nowMs();
  for (const part of chunk([...ids].sort(), IDS_PER_STATEMENT)) {
    await trx(ctx.t.deliveries)
      .whereIn("id", part)
      .andWhere("status", "sending")
      .update({
        status: "pending",
        attempts: 0,
        next_attempt_at: trx.raw(now),
        lease_until: null,
        claim_token: null,
        worker_id: null,
        updated_at: trx.raw(now),
      });
  }
}
