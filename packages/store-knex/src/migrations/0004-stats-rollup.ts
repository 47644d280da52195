import { HooklineError } from "@hookline/core";
import { dialectOf } from "../dialect.js";
import { tableNames } from "../schema/tables.js";
import { ROLLUP_KEY, rebuildRollup } from "../write/stats-rollup.js";
import { tableOptions } from "./0001-initial.js";
import type { HooklineMigration } from "./migration.js";

/**
 * stats() over a day at 1M deliveries grouped ~290k index entries (the day's deliveries and
 * attempts) in the database on every call: 120–220 ms on MariaDB. 0004 adds the hourly roll-up
 * that every terminal transition and every attempt now updates in its own transaction
 * (write/stats-rollup.ts), and builds it from the log as it stands. Stats then read whole hours
 * from the roll-up and only the part-hours at the edges of a range from the log.
 *
 * The roll-up is derived data: a step killed half-way drops and rebuilds it on the next
 * migrate(). Writers of an older version must be stopped while this runs (the README's upgrade
 * note); one that keeps completing deliveries would leave its writes out of the roll-up.
 */
export const statsRollup: HooklineMigration = {
  name: "0004_stats_rollup",
  async up(db, ctx) {
    const t = tableNames(ctx.prefix);
    const dialect = dialectOf(db);
    if (!dialect)
      throw new HooklineError("HOOKLINE_STORE_ERROR", "migration 0004_stats_rollup: unsupported knex client");
    await db.schema.dropTableIfExists(t.statsHourly);
    await db.schema.createTable(t.statsHourly, (tb) => {
      tableOptions(tb, ctx);
      tb.bigInteger("hour_start").notNullable();
      tb.string("event_code", 64).notNullable();
      tb.string("endpoint_id", 64).notNullable();
      tb.string("cell", 16).notNullable();
      tb.integer("v").notNullable();
      tb.bigInteger("n").notNullable();
      tb.primary([...ROLLUP_KEY], `${ctx.prefix}stats_hourly_pk`);
    });
    await rebuildRollup(db, dialect, t);
  },
  async down(db, ctx) {
    await db.schema.dropTableIfExists(tableNames(ctx.prefix).statsHourly);
  },
};
