import { tableNames } from "../schema/tables.js";
import { addIndexes, dropIndexes, type IndexSpec } from "./index-steps.js";
import type { HooklineMigration } from "./migration.js";

/** What 0003 adds: the status index widened to cover the stats count, and a narrow time index. */
const ADDED: readonly IndexSpec[] = [
  { suffix: "dlv_status_cover_idx", columns: ["status", "created_at", "id", "event_code", "endpoint_id"] },
  { suffix: "dlv_time_idx", columns: ["created_at", "id"] },
];

/** What 0003 drops, with the columns 0001 gave them. */
const DROPPED: readonly IndexSpec[] = [
  { suffix: "dlv_status_idx", columns: ["status", "created_at", "id"] },
  { suffix: "dlv_created_idx", columns: ["created_at", "id", "event_code", "endpoint_id", "status"] },
];

/**
 * A completion changes a delivery's status, and every index holding `status` is rewritten (and
 * later purged) for it: on MariaDB that is most of a completion's cost. 0001 had `status` in two
 * indexes that served reads by time: `dlv_status_idx (status, created_at, id)` for lists by status
 * and purge, and `dlv_created_idx (created_at, id, event_code, endpoint_id, status)`, 5 columns
 * wide, only so that the stats count could read it without touching rows.
 *
 * 0003 moves the stats columns onto the status index, which a completion rewrites anyway, and
 * leaves time order to a narrow `(created_at, id)` index that no update touches. The stats count
 * names every status, so it reads one `(status, created_at)` range per status, still from the
 * index alone. Measured on MariaDB with bench/src/diag/store-costs.ts: a completion's server CPU
 * fell from 83–97 to 61–68 µs per row; inserts and the 24 h stats at 1M rows (~125 ms) held.
 *
 * New names, so a step killed half-way finishes on the next migrate() without guessing which
 * columns an index of an old name has.
 */
export const statusCoversStats: HooklineMigration = {
  name: "0003_status_covers_stats",
  async up(db, ctx) {
    const t = tableNames(ctx.prefix);
    // Add before dropping: lists and purge never run without an index for their order.
    await addIndexes(db, ctx, t.deliveries, ADDED);
    await dropIndexes(db, ctx, t.deliveries, DROPPED);
  },
  async down(db, ctx) {
    const t = tableNames(ctx.prefix);
    await addIndexes(db, ctx, t.deliveries, DROPPED);
    await dropIndexes(db, ctx, t.deliveries, ADDED);
  },
};
