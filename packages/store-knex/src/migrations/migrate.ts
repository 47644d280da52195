import { HooklineError } from "@hookline/core";
import type { StoreContext } from "../context.js";
import { migrationSource } from "./index.js";

/** How long migrate() waits for another process that holds knex's migration lock. */
const LOCK_WAIT_MS = 60_000;

/**
 * Bring the schema up to date through knex's migrator. Every process of a deployment calls this
 * at start-up, so it is safe to race: an up-to-date schema takes no lock at all, and a process
 * that finds the lock held (or loses the race to create knex's own tables) waits, then looks again.
 */
export async function migrate(ctx: StoreContext): Promise<void> {
  if (ctx.dialect.name === "mysql") await assertUtf8mb4(ctx);
  const config = {
    migrationSource: migrationSource({ prefix: ctx.options.tablePrefix, dialect: ctx.dialect.name }),
    tableName: ctx.t.migrations,
  };
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      const [, pending] = (await ctx.db.migrate.list(config)) as [unknown[], unknown[]];
      if (pending.length === 0) return;
      await ctx.db.migrate.latest(config);
      return;
    } catch (err) {
      if (!isMigrationRace(ctx, err)) throw err;
      if (Date.now() > deadline)
        throw new HooklineError(
          "HOOKLINE_STORE_ERROR",
          `migrating the schema: the migration lock in ${ctx.t.migrations}_lock stayed held for ${LOCK_WAIT_MS} ms; if no migration is running, free it with knex.migrate.forceFreeMigrationsLock({ tableName: "${ctx.t.migrations}" })`,
          { cause: err },
        );
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 200));
    }
  }
}

function isMigrationRace(ctx: StoreContext, err: unknown): boolean {
  const e = (typeof err === "object" && err !== null ? err : {}) as { name?: unknown; message?: unknown };
  return (
    e.name === "MigrationLocked" ||
    ctx.dialect.isTransient(err) ||
    // Two processes creating knex's bookkeeping tables at the same moment.
    /already exists|duplicate key|Duplicate entry/i.test(String(e.message))
  );
}

/** A utf8 (3-byte) connection would reject or mangle emoji in bodies; fail early and clearly. */
async function assertUtf8mb4(ctx: StoreContext): Promise<void> {
  const [rows] = (await ctx.db.raw("SELECT @@character_set_connection AS cs")) as [{ cs: string }[]];
  const cs = rows[0]?.cs;
  if (cs !== "utf8mb4")
    throw new HooklineError(
      "HOOKLINE_INVALID_OPTION",
      `knex: expected a utf8mb4 MySQL connection (set connection.charset to "utf8mb4"), got ${JSON.stringify(cs)}`,
    );
}
