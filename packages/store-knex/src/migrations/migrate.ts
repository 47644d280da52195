import { HooklineError } from "@hookline/core";
import type { Knex } from "knex";
import type { StoreContext } from "../context.js";
import { migrationSource } from "./index.js";
import { withMigrationLock } from "./migration-lock.js";

/** How long migrate() waits for another process that is migrating the same schema. */
const LOCK_WAIT_S = 60;

/**
 * Bring the schema up to date. Every process of a deployment calls this at start-up, so it runs
 * under a database lock that dies with its session (see migration-lock.ts): one process
 * migrates, the others wait and then find nothing to do.
 *
 * knex's own lock row is not enough: its lock table is created check-then-insert, so racing
 * processes can leave two rows and every later migration fails as "already locked"; and a process
 * killed mid-migration leaves the row locked for good. Under our lock no other migrate() can be
 * running, so that row is reset before each run.
 */
export async function migrate(ctx: StoreContext): Promise<void> {
  if (ctx.dialect.name === "mysql") await assertConnection(ctx);
  const config: Knex.MigratorConfig = {
    migrationSource: migrationSource({ prefix: ctx.options.tablePrefix, dialect: ctx.dialect.name }),
    tableName: ctx.t.migrations,
    // withMigrationLock picks the connection: the lock's transaction where DDL is transactional
    // (so the whole batch is atomic), the pool on MySQL (knex then commits its lock row first).
    disableTransactions: true,
  };
  await withMigrationLock(ctx, LOCK_WAIT_S, async (runner) => {
    const [, pending] = (await runner.migrate.list(config)) as [unknown[], unknown[]];
    if (pending.length === 0) return;
    await runner.migrate.forceFreeMigrationsLock(config);
    await runner.migrate.latest(config);
  });
}

/**
 * A utf8 (3-byte) connection would reject or mangle emoji in bodies, and under NO_BACKSLASH_ESCAPES
 * the drivers' client-side escaping (knex's and ours) would store `\"` for `"` and could end a
 * string literal early: fail early and clearly on either.
 */
async function assertConnection(ctx: StoreContext): Promise<void> {
  const [rows] = (await ctx.db.raw(
    "SELECT @@character_set_connection AS cs, @@SESSION.sql_mode AS mode",
  )) as [{ cs: string; mode: string }[]];
  const cs = rows[0]?.cs;
  if (cs !== "utf8mb4")
    throw new HooklineError(
      "HOOKLINE_INVALID_OPTION",
      `knex: expected a utf8mb4 MySQL connection (set connection.charset to "utf8mb4"), got ${JSON.stringify(cs)}`,
    );
  const mode = rows[0]?.mode ?? "";
  if (mode.split(",").includes("NO_BACKSLASH_ESCAPES"))
    throw new HooklineError(
      "HOOKLINE_INVALID_OPTION",
      `knex: expected a MySQL session without NO_BACKSLASH_ESCAPES (client-side escaping relies on backslashes), got sql_mode ${JSON.stringify(mode)}`,
    );
}
