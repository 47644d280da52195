import { describeValue, HooklineError, TERMINAL_STATUSES } from "@hookline/core";
import type { Knex } from "knex";
import { type StoreContext, transaction } from "../context.js";
import { chunk } from "../util/chunk.js";
import { retryTransient } from "../util/retry.js";
import { addDeliveryCells, removeAttemptCellsOf } from "../write/stats-rollup.js";

const DEFAULT_BATCH = 1000;
const MAX_BATCH = 10_000;

/**
 * Delete terminal deliveries last updated before `olderThan`, their attempts, and events left
 * with no delivery, one short transaction per batch so a large purge never blocks writers for
 * long. Pending and sending rows are never touched. Returns the number of deliveries deleted.
 */
export async function purge(
  ctx: StoreContext,
  olderThan: Date,
  opts?: { batchSize?: number },
): Promise<number> {
  if (!(olderThan instanceof Date) || Number.isNaN(olderThan.getTime()))
    throw new HooklineError(
      "HOOKLINE_INVALID_OPTION",
      `olderThan: expected a valid Date, got ${describeValue(olderThan)}`,
    );
  const batchSize = opts?.batchSize ?? DEFAULT_BATCH;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH)
    throw new HooklineError(
      "HOOKLINE_INVALID_OPTION",
      `batchSize: expected an integer from 1 to ${MAX_BATCH}, got ${describeValue(batchSize)}`,
    );
  const cutoff = olderThan.getTime();
  let deleted = 0;
  // One status at a time, so each batch is a single ordered range of dlv_status_cover_idx.
  for (const status of TERMINAL_STATUSES) {
    for (;;) {
      const n = await retryTransient(ctx, () =>
        transaction(ctx, (trx) => purgeBatch(ctx, trx, status, cutoff, batchSize)),
      );
      deleted += n;
      if (n < batchSize) break;
    }
  }
  // Cells the purge emptied: rows it deleted were older than the cut-off, so were their hours.
  await retryTransient(ctx, () =>
    ctx.db(ctx.t.statsHourly).where("hour_start", "<", cutoff).andWhere("n", 0).del(),
  );
  // Events that never had a delivery (no subscribed endpoint) age out by their own time.
  for (;;) {
    const n = await retryTransient(ctx, () =>
      transaction(ctx, (trx) => purgeEmptyEvents(ctx, trx, cutoff, batchSize)),
    );
    if (n < batchSize) break;
  }
  return deleted;
}

async function purgeBatch(
  ctx: StoreContext,
  trx: Knex.Transaction,
  status: string,
  cutoff: number,
  limit: number,
) {
  const { t, dialect } = ctx;
  // Read through dlv_status_cover_idx (status, created_at, id, …), oldest first. A row is never updated
  // before it is created, so the created_at bound only narrows the range: it selects the same
  // rows as updated_at alone. (created_at is the application's clock and updated_at the
  // database's; a clock skew between them can delay a row's purge, never widen one.)
  const q = trx(t.deliveries)
    .select("id", "event_id")
    .where("status", status)
    .andWhere("created_at", "<", cutoff)
    .andWhere("updated_at", "<", cutoff)
    .orderBy([{ column: "created_at" }, { column: "id" }])
    .limit(limit);
  // Locked, so a concurrent requeue either lands before (row no longer terminal: not selected)
  // or waits for this batch to commit.
  const rows = (await (dialect.skipLocked ? q.forUpdate().skipLocked() : q)) as {
    id: string;
    event_id: string;
  }[];
  if (rows.length === 0) return 0;
  for (const part of chunk(rows, 500)) {
    const ids = part.map((r) => r.id);
    await addDeliveryCells(ctx, trx, ids, -1);
    await removeAttemptCellsOf(ctx, trx, ids);
    await trx(t.attempts).whereIn("delivery_id", ids).del();
    await trx(t.deliveries).whereIn("id", ids).del();
  }
  const eventIds = [...new Set(rows.map((r) => r.event_id))];
  for (const part of chunk(eventIds, 500)) {
    await trx(t.events)
      .whereIn("id", part)
      .whereNotExists(
        trx(t.deliveries)
          .select(trx.raw("1"))
          .whereRaw("??.?? = ??.??", [t.deliveries, "event_id", t.events, "id"]),
      )
      .del();
  }
  return rows.length;
}

async function purgeEmptyEvents(ctx: StoreContext, trx: Knex.Transaction, cutoff: number, limit: number) {
  const { t } = ctx;
  const rows = (await trx(t.events)
    .select("id")
    .where("created_at", "<", cutoff)
    .whereNotExists(
      trx(t.deliveries)
        .select(trx.raw("1"))
        .whereRaw("??.?? = ??.??", [t.deliveries, "event_id", t.events, "id"]),
    )
    .limit(limit)) as { id: string }[];
  if (rows.length === 0) return 0;
  await trx(t.events)
    .whereIn(
      "id",
      rows.map((r) => r.id),
    )
    .del();
  return rows.length;
}
