import { randomBytes } from "node:crypto";
import { databaseConfig, sqliteFile, type TestDbName } from "@hookline/store-knex/testing";
import knexFactory, { type Knex } from "knex";

// The databases, their URLs (HOOKLINE_TEST_MYSQL_URL, HOOKLINE_TEST_PG_URL) and configs are the
// test suite's, from @hookline/store-knex/testing; what is the bench's own is below: table
// prefixes that a later run can sweep, and pool sizes per scenario.
export type DbName = TestDbName;

/** A knex config for a server database (SQLite needs a file: see openTarget). */
export function serverConfig(db: Exclude<DbName, "sqlite">, pool = 10): Knex.Config {
  return databaseConfig(db, { pool });
}

/** Where one scenario's tables live, and how to remove them afterwards. */
export interface DbTarget {
  readonly name: DbName;
  readonly config: Knex.Config;
  readonly prefix: string;
  cleanup(): Promise<void>;
}

/**
 * Prefix of every table a bench run creates: `bn_<tag>_<unix seconds, base36><random>_`. The time
 * lets a later run drop what a crashed run left behind without touching a run still going.
 */
export function benchPrefix(tag: string): string {
  const secs = Math.floor(Date.now() / 1000).toString(36);
  return `bn_${tag}_${secs}${randomBytes(2).toString("hex").slice(0, 3)}_`;
}
const OWN = /^bn_[a-z0-9]+_([a-z0-9]{6})[a-z0-9]{3}_/;

/** A fresh set of tables on `db` (SQLite: a fresh file in a temp folder, removed by cleanup). */
export function openTarget(db: DbName, tag: string, pool = 10): DbTarget {
  const prefix = benchPrefix(tag);
  if (db === "sqlite") {
    const file = sqliteFile();
    return { name: db, config: file.config(), prefix, cleanup: async () => file.cleanup() };
  }
  const config = serverConfig(db, pool);
  return { name: db, config, prefix, cleanup: () => dropPrefix(config, prefix) };
}

async function tablesOf(db: Knex): Promise<string[]> {
  const client = String(db.client.config.client);
  if (client === "pg") {
    const r = await db.raw("select tablename as t from pg_tables where schemaname = current_schema()");
    return (r.rows as { t: string }[]).map((x) => x.t);
  }
  const [rows] = (await db.raw(
    "select table_name as t from information_schema.tables where table_schema = database()",
  )) as [{ t: string }[]];
  return rows.map((x) => x.t);
}

/** Drop every table whose name starts with `prefix` (compared in JS: `_` is a LIKE wildcard). */
export async function dropPrefix(config: Knex.Config, prefix: string): Promise<void> {
  const db = knexFactory(config);
  try {
    for (const t of (await tablesOf(db)).filter((n) => n.startsWith(prefix)))
      await db.schema.dropTableIfExists(t);
  } finally {
    await db.destroy();
  }
}

/** Drop bench tables older than `maxAgeMs` (left by a run that was killed before its cleanup). */
export async function sweepStale(config: Knex.Config, maxAgeMs = 3_600_000): Promise<string[]> {
  const db = knexFactory(config);
  const dropped: string[] = [];
  try {
    const cutoff = (Date.now() - maxAgeMs) / 1000;
    for (const t of await tablesOf(db)) {
      const m = OWN.exec(t);
      if (m && Number.parseInt(m[1]!, 36) < cutoff) {
        await db.schema.dropTableIfExists(t);
        dropped.push(t);
      }
    }
  } finally {
    await db.destroy();
  }
  return dropped;
}
