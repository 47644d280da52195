import { HooklineError } from "@hookline/core";
import type { StoreContext } from "../context.js";
import { migrationSource } from "./index.js";

/**
 * Bring the schema up to date through knex's migrator (its lock table serialises concurrent
 * migrate() calls from several processes; already-applied steps are skipped).
 */
export async function migrate(ctx: StoreContext): Promise<void> {
  if (ctx.dialect.name === "mysql") await assertUtf8mb4(ctx);
  await ctx.db.migrate.latest({
    migrationSource: migrationSource({ prefix: ctx.options.tablePrefix, dialect: ctx.dialect.name }),
    tableName: ctx.t.migrations,
  });
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
