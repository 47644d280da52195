import { tableNames } from "../schema/tables.js";
import type { HooklineMigration } from "./migration.js";

/**
 * `replays` counts the admin replays (requeues) of each delivery, so a transport can tell a replay
 * from a retry: retries keep the counter, each replay bumps it (a JetStream message id built from
 * it stores a retry once and a replay again). An integer, so 0005's identifier collation does not
 * apply. Existing rows start at 0.
 *
 * A column with a constant default is added without copying the table on MariaDB 10.3+ (INSTANT),
 * MySQL 8.0, PostgreSQL 11+ and SQLite. The step checks for the column first, so one killed
 * half-way on MySQL (DDL commits implicitly) finishes on the next migrate().
 */
export const deliveryReplays: HooklineMigration = {
  name: "0006_delivery_replays",
  async up(db, ctx) {
    const t = tableNames(ctx.prefix);
    if (await db.schema.hasColumn(t.deliveries, "replays")) return;
    await db.schema.alterTable(t.deliveries, (tb) => {
      tb.integer("replays").notNullable().defaultTo(0);
    });
  },
  async down(db, ctx) {
    const t = tableNames(ctx.prefix);
    if (!(await db.schema.hasColumn(t.deliveries, "replays"))) return;
    await db.schema.alterTable(t.deliveries, (tb) => {
      tb.dropColumn("replays");
    });
  },
};
