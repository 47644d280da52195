import { describeValue, HooklineError } from "@hookline/core";
import type { Knex } from "knex";
import { dialectOf } from "../dialect.js";
import { isKnexInstance, resolveOptions } from "../options.js";
import { tableNames } from "../schema/tables.js";
import { rebuildRollup } from "../write/stats-rollup.js";

/**
 * Rebuild the hourly stats roll-up from the log, in one transaction. Migration 0004 does this once;
 * run it again if writers of an older version kept completing deliveries after that migration
 * (they do not update the roll-up), or after rows were changed by hand. Run it with no writer
 * running: a completion that creates a new cell while it runs makes it fail on a duplicate key
 * and roll back (the roll-up is then as it was).
 */
export async function rebuildStatsRollup(
  knex: Knex,
  opts: { readonly tablePrefix?: string } = {},
): Promise<void> {
  if (!isKnexInstance(knex))
    throw new HooklineError(
      "HOOKLINE_INVALID_OPTION",
      `knex: expected a Knex instance, got ${describeValue(knex)}`,
    );
  const { tablePrefix } = resolveOptions({ knex, tablePrefix: opts.tablePrefix });
  const dialect = dialectOf(knex);
  if (!dialect)
    throw new HooklineError("HOOKLINE_INVALID_OPTION", "knex: expected a SQLite, MySQL or PostgreSQL client");
  await knex.transaction((trx) => rebuildRollup(trx, dialect, tableNames(tablePrefix)), dialect.txConfig);
}
