import type { Knex } from "knex";
import { afterEach } from "vitest";
import { MIGRATIONS } from "../migrations/index.js";
import type { HooklineMigration, MigrationContext } from "../migrations/migration.js";
import { tableNames } from "../schema/tables.js";
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

/** Undo every migration after `name`, newest first, then `name` itself (one down() each). */
export async function downThrough(db: Knex, source: Knex.MigratorConfig, name: string): Promise<void> {
  const at = MIGRATIONS.findIndex((m) => m.name === name);
  if (at < 0) throw new Error(`no migration named ${name}`);
  for (let i = MIGRATIONS.length - 1; i >= at; i--) await db.migrate.down(source);
}

/** Run the shipped migrations up to and including `last`. */
export async function migrateTo(db: Knex, ctx: MigrationContext, last: string): Promise<void> {
  const upTo = MIGRATIONS.slice(0, MIGRATIONS.findIndex((m) => m.name === last) + 1);
  await db.migrate.latest({
    tableName: tableNames(ctx.prefix).migrations,
    migrationSource: {
      getMigrations: async () => [...upTo],
      getMigrationName: (m) => m.name,
      getMigration: async (m) => ({ up: (k: Knex) => m.up(k, ctx), down: (k: Knex) => m.down(k, ctx) }),
    } satisfies Knex.MigrationSource<HooklineMigration>,
  });
}
