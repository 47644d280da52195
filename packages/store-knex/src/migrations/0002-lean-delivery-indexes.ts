import { tableNames } from "../schema/tables.js";
import { addIndexes, dropIndexes, type IndexSpec } from "./index-steps.js";
import type { HooklineMigration } from "./migration.js";

/** Indexes 0002 drops from the deliveries table, with the columns 0001 gave them. */
const DROPPED: readonly IndexSpec[] = [
  { suffix: "dlv_lease_idx", columns: ["status", "lease_until"] },
  { suffix: "dlv_purge_idx", columns: ["status", "updated_at"] },
];

/**
 * Every write to a delivery maintains each secondary index that holds a column it changes; two
 * of them only served queries another index can answer:
 *
 * - `dlv_lease_idx (status, lease_until)`, lease recovery: a sending row's `next_attempt_at` is
 *   now its re-claim time (equal to `lease_until`, written with it on every claim and claimed
 *   insert), so expired leases are found through `dlv_due_idx (status, next_attempt_at)`. The
 *   step copies `lease_until` into `next_attempt_at` for the rows that are sending now.
 *   `lease_until` stays, and stays the truth: the claim still checks it.
 * - `dlv_purge_idx (status, updated_at)`, retention: purge reads `dlv_status_idx
 *   (status, created_at, id)` with `created_at < cutoff AND updated_at < cutoff`; a row is never
 *   updated before it is created, so that selects the same rows as `updated_at < cutoff`.
 *
 * Each statement can run again: a step killed half-way on MySQL (DDL commits implicitly)
 * finishes on the next migrate().
 */
export const leanDeliveryIndexes: HooklineMigration = {
  name: "0002_lean_delivery_indexes",
  async up(db, ctx) {
    const t = tableNames(ctx.prefix);
    await db(t.deliveries)
      .where("status", "sending")
      .whereNotNull("lease_until")
      .update({ next_attempt_at: db.ref("lease_until") });
    await dropIndexes(db, ctx, t.deliveries, DROPPED);
  },
  async down(db, ctx) {
    const t = tableNames(ctx.prefix);
    await addIndexes(db, ctx, t.deliveries, DROPPED);
    // 0001's code reads lease_until alone for sending rows; a next_attempt_at left equal to it
    // is harmless there.
  },
};
