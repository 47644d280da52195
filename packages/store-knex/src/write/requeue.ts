import { type DeliveryFilter, describeValue, HooklineError, TERMINAL_STATUSES } from "@hookline/core";
import { type StoreContext, transaction } from "../context.js";
import { whereDeliveries } from "../read/filters.js";
import { chunk } from "../util/chunk.js";
import { num } from "../util/convert.js";
import { retryTransient } from "../util/retry.js";
import { addDeliveryCells } from "./stats-rollup.js";

export type RequeueTarget = { readonly ids: readonly string[] } | { readonly filter: DeliveryFilter };

/** Rows per UPDATE, so a requeue of a whole outage never holds a long lock. */
const BATCH = 500;

async function requeueIds(ctx: StoreContext, ids: readonly string[]): Promise<number> {
  const { t, dialect } = ctx;
  const now = dialect.nowMs();
  return retryTransient(ctx, () =>
    transaction(ctx, async (trx) => {
      // Lock the terminal ones first: the roll-up must lose exactly the rows this UPDATE moves.
      const q = trx(t.deliveries)
        .select("id")
        .whereIn("id", [...ids].sort())
        .whereIn("status", [...TERMINAL_STATUSES])
        .orderBy("id");
      const rows = (await (dialect.skipLocked ? q.forUpdate() : q)) as { id: string }[];
      if (rows.length === 0) return 0;
      const locked = rows.map((r) => r.id);
      await addDeliveryCells(ctx, trx, locked, -1);
      // Same event row, so the webhook-id is unchanged; the attempt counter keeps counting and
      // the replay counter moves on, so transports can tell this send from a retry.
      return num(
        await trx(t.deliveries)
          .whereIn("id", locked)
          .update({
            status: "pending",
            replays: trx.raw("replays + 1"),
            next_attempt_at: trx.raw(now),
            claim_token: null,
            lease_until: null,
            updated_at: trx.raw(now),
          }),
      );
    }),
  );
}

/** Move terminal deliveries (succeeded, failed, cancelled) back to pending, due now. */
export async function requeue(ctx: StoreContext, target: RequeueTarget): Promise<number> {
  if (typeof target === "object" && target !== null && "ids" in target) {
    if (!Array.isArray(target.ids) || target.ids.some((id) => typeof id !== "string"))
      throw new HooklineError(
        "HOOKLINE_INVALID_OPTION",
        `ids: expected an array of strings, got ${describeValue(target.ids)}`,
      );
    let moved = 0;
    for (const part of chunk([...new Set(target.ids)], BATCH)) moved += await requeueIds(ctx, part);
    return moved;
  }
  if (typeof target !== "object" || target === null || !("filter" in target))
    throw new HooklineError(
      "HOOKLINE_INVALID_OPTION",
      `target: expected { ids } or { filter }, got ${describeValue(target)}`,
    );
  let moved = 0;
  let after = "";
  // Walk matching terminal rows in id order, one batch per statement pair.
  for (;;) {
    const q = ctx
      .db(ctx.t.deliveries)
      .select("id")
      .whereIn("status", [...TERMINAL_STATUSES]);
    const rows = (await whereDeliveries(q, target.filter)
      .where("id", ">", after)
      .orderBy("id")
      .limit(BATCH)) as {
      id: string;
    }[];
    if (rows.length === 0) return moved;
    moved += await requeueIds(
      ctx,
      rows.map((r) => r.id),
    );
    after = rows[rows.length - 1]!.id;
    if (rows.length < BATCH) return moved;
  }
}
