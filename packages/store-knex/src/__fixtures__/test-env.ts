import type { DeliveryStore } from "@hookline/core";
import knexFactory, { type Knex } from "knex";
import { afterEach, beforeEach } from "vitest";
import type { KnexStoreOptions } from "../options.js";
import { type TableNames, tableNames } from "../schema/tables.js";
import { dropTables, openStore, sqliteFile, type TestTarget, uniquePrefix } from "../testing/databases.js";

/** One test's database: a migrated store, an admin connection, and more stores on the same tables. */
export interface TestEnv {
  readonly store: DeliveryStore;
  readonly prefix: string;
  readonly t: TableNames;
  /** A separate pool on the same database, for assertions and caller-owned transactions. */
  readonly db: Knex;
  readonly config: () => Knex.Config;
  /** Another store (its own pool) on the same tables, e.g. a second worker process. */
  open(extra?: Omit<KnexStoreOptions, "knex" | "tablePrefix">): Promise<DeliveryStore>;
  /** Another pool on the same database, destroyed after the test. */
  connect(): Knex;
}

/**
 * A fresh prefix and store per test, dropped afterwards. SQLite uses a temp file rather than
 * :memory: so several pools (workers, the admin connection) see the same database.
 */
export function useTestEnv(
  target: TestTarget,
  tag: string,
  extra: Omit<KnexStoreOptions, "knex" | "tablePrefix"> = {},
): () => TestEnv {
  let env: TestEnv | undefined;
  let stores: DeliveryStore[] = [];
  let pools: Knex[] = [];
  let cleanupFile: (() => void) | undefined;
  beforeEach(async () => {
    let config = target.config;
    if (target.name === "sqlite") {
      const file = sqliteFile();
      config = file.config;
      cleanupFile = file.cleanup;
    }
    const prefix = uniquePrefix(tag);
    const store = await openStore(config(), prefix, extra);
    stores = [store];
    const db = knexFactory(config());
    pools = [db];
    env = {
      store,
      prefix,
      t: tableNames(prefix),
      db,
      config,
      open: async (more = {}) => {
        const s = await openStore(config(), prefix, { ...extra, ...more });
        stores.push(s);
        return s;
      },
      connect: () => {
        const pool = knexFactory(config());
        pools.push(pool);
        return pool;
      },
    };
  });
  afterEach(async () => {
    if (!env) return;
    for (const s of stores) await s.close();
    for (const p of pools) await p.destroy();
    await dropTables(env.config(), env.prefix);
    cleanupFile?.();
    env = undefined;
  });
  return () => {
    if (!env) throw new Error("useTestEnv: no test is running");
    return env;
  };
}
