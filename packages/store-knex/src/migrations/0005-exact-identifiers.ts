import { tableNames } from "../schema/tables.js";
import { convertIdentifierColumns, identifierCollation, PAD_COLLATION } from "./identifier-collation.js";
import type { HooklineMigration, MigrationContext } from "./migration.js";

/** The store's tables, in the order 0005 converts them: small ones first, the attempts log last. */
const tablesOf = (ctx: MigrationContext) => {
  const t = tableNames(ctx.prefix);
  return [t.endpoints, t.statsHourly, t.events, t.deliveries, t.attempts];
};

/**
 * Identifiers compare byte for byte on MySQL and MariaDB, as on PostgreSQL and SQLite. 0001 made
 * them `utf8mb4_bin`: case-sensitive, but PAD SPACE, so an idempotency key `k ` collided with
 * `k` (a store error instead of a new event), `subject = '0000 '` matched `0000`, and stats
 * merged endpoints that differ by a trailing space. 0005 moves every identifier column to the
 * server's binary NO PAD collation. Text columns are untouched. No-op on PostgreSQL and SQLite.
 *
 * Each table is copied once (writes to it wait meanwhile). Between two tables' copies a join of
 * a converted and an unconverted table fails on the mixed collations, so old writers should be
 * stopped for the upgrade (the README gives the cost).
 */
export const exactIdentifiers: HooklineMigration = {
  name: "0005_exact_identifiers",
  async up(db, ctx) {
    if (ctx.dialect !== "mysql") return;
    const collation = await identifierCollation(db);
    for (const table of tablesOf(ctx)) await convertIdentifierColumns(db, ctx, table, collation);
  },
  // Back to PAD SPACE. Fails on a unique key if two identifiers now differ only by trailing spaces.
  async down(db, ctx) {
    if (ctx.dialect !== "mysql") return;
    for (const table of tablesOf(ctx).reverse())
      await convertIdentifierColumns(db, ctx, table, PAD_COLLATION);
  },
};
