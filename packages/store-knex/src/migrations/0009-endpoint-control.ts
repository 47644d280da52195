import type { Knex } from "knex";
import { tableNames } from "../schema/tables.js";
import { identifierCollation } from "./identifier-collation.js";
import type { HooklineMigration, MigrationContext } from "./migration.js";

/** The columns 0009 adds, in the order it adds them. */
export const ENDPOINT_CONTROL_COLUMNS = [
  "tokens",
  "tokens_at",
  "paused_until",
  "circuit",
  "failures",
  "open_until",
  "cooldown_ms",
  "probe_id",
  "probe_until",
] as const;
type Column = (typeof ENDPOINT_CONTROL_COLUMNS)[number];

function addColumn(tb: Knex.AlterTableBuilder, column: Column, collation: string | undefined): void {
  switch (column) {
    case "tokens":
      // Fractional: a bucket refilling 0.5 per second holds 0.5 after a second.
      tb.double("tokens").nullable();
      return;
    case "circuit":
      tb.string("circuit", 9).notNullable().defaultTo("closed");
      return;
    case "failures":
      tb.integer("failures").notNullable().defaultTo(0);
      return;
    case "probe_id": {
      // Compared with delivery ids, so it takes their binary NO PAD collation (0005) on MySQL.
      const col = tb.string("probe_id", 64).nullable();
      if (collation) col.collate(collation);
      return;
    }
    default:
      tb.bigInteger(column).nullable();
  }
}

/**
 * Rate limits, 429 pauses and circuit breakers, shared by every process through the endpoint
 * state table (the one that holds the disabled switches; a row is added when an endpoint first
 * needs one), and the recent sends of rate-limited endpoints (`endpoint_sends`). Times are epoch ms on the database clock, like every other time in the store.
 *
 * Every column is either nullable or NOT NULL with a constant default, appended: a catalog change
 * on PostgreSQL and SQLite, INSTANT on MariaDB 10.3+ and MySQL 8.0.12+, and the table is small
 * anyway. Each column is checked first, so a step killed half-way on MySQL (DDL commits
 * implicitly) finishes on the next migrate().
 */
export const endpointControl: HooklineMigration = {
  name: "0009_endpoint_control",
  async up(db, ctx) {
    const t = tableNames(ctx.prefix);
    const missing = await columnsWhere(db, t.endpoints, false);
    if (missing.length > 0) {
      const collation = await probeCollation(db, ctx, missing);
      await db.schema.alterTable(t.endpoints, (tb) => {
        for (const column of missing) addColumn(tb, column, collation);
      });
    }
    await createSends(db, ctx, t.endpointSends);
  },
  async down(db, ctx) {
    const t = tableNames(ctx.prefix);
    await db.schema.dropTableIfExists(t.endpointSends);
    const present = await columnsWhere(db, t.endpoints, true);
    if (present.length === 0) return;
    await db.schema.alterTable(t.endpoints, (tb) => {
      tb.dropColumns(...present);
    });
  },
};

async function columnsWhere(db: Knex, table: string, present: boolean): Promise<Column[]> {
  const out: Column[] = [];
  for (const column of ENDPOINT_CONTROL_COLUMNS)
    if ((await db.schema.hasColumn(table, column)) === present) out.push(column);
  return out;
}

function probeCollation(db: Knex, ctx: MigrationContext, missing: readonly Column[]) {
  return ctx.dialect === "mysql" && missing.includes("probe_id") ? identifierCollation(db) : undefined;
}

/**
 * One row per claim that took sends of a rate-limited endpoint, kept for the sliding window
 * (write/send-window.ts deletes rows older than the window in the claim that reads them), so it
 * holds a few rows per limited endpoint. No key: two claims may share a millisecond. An empty
 * leftover of a step killed half-way on MySQL is replaced; the table never needs its rows kept.
 */
async function createSends(db: Knex, ctx: MigrationContext, table: string): Promise<void> {
  if (await db.schema.hasTable(table)) {
    if (await db(table).first()) return;
    await db.schema.dropTable(table);
  }
  const index = `${ctx.prefix}sends_endpoint_idx`;
  if (ctx.dialect === "mysql") {
    // One statement with the index inline: knex adds indexes with ALTER TABLE, which a server
    // held to alter_algorithm = INSTANT refuses. endpoint_id is compared with the endpoint ids of
    // the other tables, so it takes their binary NO PAD collation, the default of every table
    // since 0005.
    const collation = await identifierCollation(db);
    await db.raw(
      `CREATE TABLE ?? (endpoint_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE ${collation} NOT NULL, sent_at BIGINT NOT NULL, n INT NOT NULL, INDEX ?? (endpoint_id, sent_at)) ENGINE = InnoDB DEFAULT CHARACTER SET utf8mb4 COLLATE ${collation}`,
      [table, index],
    );
    return;
  }
  await db.schema.createTable(table, (tb) => {
    tb.string("endpoint_id", 64).notNullable();
    tb.bigInteger("sent_at").notNullable();
    tb.integer("n").notNullable();
    tb.index(["endpoint_id", "sent_at"], index);
  });
}
