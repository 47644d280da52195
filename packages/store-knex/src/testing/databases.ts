import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DeliveryStore } from "@hookline/core";
import knexFactory, { type Knex } from "knex";
import { describe, it } from "vitest";
import { knexStore } from "../knex-store.js";
import type { KnexStoreOptions } from "../options.js";
import { tableNames } from "../schema/tables.js";

export type TestDbName = "sqlite" | "mariadb" | "postgres";

/**
 * Which databases a test run covers. HOOKLINE_TEST_DATABASES (comma list, default all three)
 * selects; SQLite always runs. With CI set, a selected server that cannot be reached fails the
 * run; without CI it is skipped under a name that says why.
 */
export interface TestTarget {
  readonly name: TestDbName;
  /** A knex config for a new connection pool (SQLite: a fresh in-memory database). */
  config(): Knex.Config;
  /** Set when the target must not run; `required` decides between failing and skipping. */
  readonly unavailable?: { readonly reason: string; readonly required: boolean };
}

// The tests, the process tests and the benchmark all reach the servers through these. The
// HOOKLINE_BENCH_* names are the benchmark's older ones, still accepted.
const { env } = process;
/** The MariaDB / MySQL server: HOOKLINE_TEST_MYSQL_URL. */
export const MARIADB_URL =
  env.HOOKLINE_TEST_MYSQL_URL ?? env.HOOKLINE_BENCH_MYSQL_URL ?? "mysql://root@127.0.0.1:3306/test";
/** The PostgreSQL server: HOOKLINE_TEST_PG_URL. */
export const POSTGRES_URL =
  env.HOOKLINE_TEST_PG_URL ?? env.HOOKLINE_BENCH_PG_URL ?? "postgres://root@127.0.0.1:5432/test";

/**
 * A knex config for a new pool on database `name` (SQLite: a fresh in-memory database; see
 * sqliteFile for one several pools share).
 */
export function databaseConfig(name: TestDbName, opts: { readonly pool?: number } = {}): Knex.Config {
  const pool = { min: 0, max: opts.pool ?? 8 };
  if (name === "mariadb") return { client: "mysql2", connection: MARIADB_URL, pool };
  if (name === "postgres") return { client: "pg", connection: POSTGRES_URL, pool };
  return { client: "better-sqlite3", connection: { filename: ":memory:" }, useNullAsDefault: true };
}

const TEST_DBS: readonly TestDbName[] = ["sqlite", "mariadb", "postgres"];

function selected(): Set<TestDbName> {
  const raw = process.env.HOOKLINE_TEST_DATABASES;
  const names = raw ? raw.split(",").map((s) => s.trim().toLowerCase()) : TEST_DBS;
  for (const n of names) {
    if (!TEST_DBS.includes(n as TestDbName))
      throw new Error(`HOOKLINE_TEST_DATABASES: unknown database ${JSON.stringify(n)}`);
  }
  return new Set([...(names as TestDbName[]), "sqlite"]);
}

/** Undefined when database `name` answers, else the first line of the error. */
export async function probeDatabase(name: TestDbName): Promise<string | undefined> {
  const db = knexFactory({ ...databaseConfig(name, { pool: 1 }), acquireConnectionTimeout: 3000 });
  try {
    await db.raw("SELECT 1");
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message.split("\n")[0] : String(err);
  } finally {
    await db.destroy();
  }
}

let cached: Promise<TestTarget[]> | undefined;

/** The databases of this run, probed once per test file. */
export function testTargets(): Promise<TestTarget[]> {
  cached ??= (async () => {
    const chosen = selected();
    const ci = Boolean(process.env.CI);
    return Promise.all(
      TEST_DBS.map(async (name): Promise<TestTarget> => {
        const config = () => databaseConfig(name);
        if (!chosen.has(name))
          return { name, config, unavailable: { reason: "not in HOOKLINE_TEST_DATABASES", required: false } };
        if (name === "sqlite") return { name, config };
        const error = await probeDatabase(name);
        return error === undefined
          ? { name, config }
          : { name, config, unavailable: { reason: error, required: ci } };
      }),
    );
  })();
  return cached;
}

/** `describe` per target: runs, fails (required but unreachable) or skips with the reason in its name. */
export function describeTargets(
  targets: readonly TestTarget[],
  title: string,
  body: (target: TestTarget) => void,
): void {
  for (const target of targets) {
    const name = `${title} [${target.name}]`;
    const u = target.unavailable;
    if (!u) describe(name, () => body(target));
    else if (u.required)
      describe(name, () => {
        it("reaches the database server (required because CI is set)", () => {
          throw new Error(`${target.name} is unreachable: ${u.reason}`);
        });
      });
    else describe.skip(`${name} — skipped: ${u.reason}`, () => body(target));
  }
}

/** A table prefix no other test file or run shares. */
export function uniquePrefix(tag: string): string {
  return `t${tag}_${randomBytes(3).toString("hex")}_`;
}

/** Drop every table a store with `prefix` may have created. */
export async function dropTables(config: Knex.Config, prefix: string): Promise<void> {
  if (isMemory(config)) return;
  const db = knexFactory(config);
  try {
    for (const name of tableNames(prefix).all) await db.schema.dropTableIfExists(name);
  } finally {
    await db.destroy();
  }
}

function isMemory(config: Knex.Config): boolean {
  const c = config.connection as { filename?: string } | undefined;
  return config.client === "better-sqlite3" && c?.filename === ":memory:";
}

/** A SQLite file in a fresh temp dir (several pools can share it, unlike :memory:). */
export function sqliteFile(): { config: () => Knex.Config; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "hookline-sqlite-"));
  return {
    config: () => ({
      client: "better-sqlite3",
      connection: { filename: join(dir, "db.sqlite") },
      useNullAsDefault: true,
    }),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A migrated store on `config` with `prefix`, plus its own teardown. */
export async function openStore(
  config: Knex.Config,
  prefix: string,
  extra: Omit<KnexStoreOptions, "knex" | "tablePrefix"> = {},
): Promise<DeliveryStore> {
  const store = knexStore({ knex: config, tablePrefix: prefix, ...extra });
  await store.migrate();
  return store;
}
