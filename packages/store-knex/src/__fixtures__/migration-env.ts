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
