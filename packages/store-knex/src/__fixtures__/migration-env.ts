import type { Knex } from "knex";
import { afterEach } from "vitest";
import type { MigrationContext } from "../migrations/migration.js";
import { dropTables, sqliteFile, type TestTarget, uniquePrefix } from "../testing/databases.js";

/** A migration test's database: a config per pool, and a fresh prefix per test, dropped after it. */
export interface MigrationEnv {
  /** A knex config for a new pool (SQLite: one temp file that every pool shares). */
  readonly config: () => Knex.Config;
  /** A fresh table prefix for this test, dropped after it. */
  prefix(tag: string): string;
  /** What a migration is given for `prefix` on this target. */
  ctx(prefix: string): MigrationContext;
}

/** Call inside a describe block: it registers the clean-up. */
export function useMigrationEnv(target: TestTarget): MigrationEnv {
  const file = sqliteFile();
  const config = target.name === "sqlite" ? file.config : target.config;
  let current = "";
  afterEach(async () => {
    await dropTables(config(), current);
  });
  return {
    config,
    prefix: (tag) => {
      current = uniquePrefix(tag);
      return current;
    },
    ctx: (prefix) => ({
      prefix,
      dialect: target.name === "sqlite" ? "sqlite" : target.name === "mariadb" ? "mysql" : "postgres",
    }),
  };
}

/** The columns of index `index`, in index order, whichever database holds it. */
export async function indexColumns(db: Knex, ctx: MigrationContext, index: string): Promise<string[]> {
  if (ctx.dialect === "mysql") {
    const [rows] = (await db.raw(
      "SELECT column_name AS c FROM information_schema.statistics WHERE table_schema = DATABASE() AND index_name = ? ORDER BY seq_in_index",
      [index],
    )) as [{ c: string }[]];
    return rows.map((r) => r.c);
  }
  if (ctx.dialect === "postgres") {
    const r = (await db.raw(
      `SELECT a.attname AS c FROM pg_index i
         JOIN pg_class ic ON ic.oid = i.indexrelid
         JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
       WHERE ic.relname = ? AND ic.relnamespace = current_schema()::regnamespace
       ORDER BY array_position(i.indkey::int2[], a.attnum)`,
      [index],
    )) as { rows: { c: string }[] };
    return r.rows.map((row) => row.c);
  }
  const rows = (await db.raw(`PRAGMA index_info(${JSON.stringify(index)})`)) as {
    seqno: number;
    name: string;
  }[];
  return [...rows].sort((a, b) => a.seqno - b.seqno).map((r) => r.name);
}
