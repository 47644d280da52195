import type { Knex } from "knex";
import type { MigrationContext } from "./migration.js";

/** An index a migration adds or drops: its name without the table prefix, and its columns. */
export interface IndexSpec {
  readonly suffix: string;
  readonly columns: readonly string[];
}

/** Whether `table` has an index named `index` (MySQL 8 has no DROP/CREATE INDEX IF [NOT] EXISTS). */
export async function hasIndex(
  db: Knex,
  ctx: MigrationContext,
  table: string,
  index: string,
): Promise<boolean> {
  if (ctx.dialect === "mysql") {
    const [rows] = (await db.raw(
      "SELECT 1 AS x FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = ? AND index_name = ? LIMIT 1",
      [table, index],
    )) as [unknown[]];
    return rows.length > 0;
  }
  if (ctx.dialect === "postgres") {
    const r = (await db.raw(
      "SELECT 1 AS x FROM pg_indexes WHERE schemaname = current_schema() AND indexname = ?",
      [index],
    )) as { rows: unknown[] };
    return r.rows.length > 0;
  }
  const rows = (await db.raw("SELECT 1 AS x FROM sqlite_master WHERE type = 'index' AND name = ?", [
    index,
  ])) as unknown[];
  return rows.length > 0;
}

// Each step checks before it acts, so a migration killed half-way (MySQL commits DDL
// implicitly, one statement at a time) finishes on the next migrate().

/** Create each index of `specs` on `table` that does not exist yet. */
export async function addIndexes(
  db: Knex,
  ctx: MigrationContext,
  table: string,
  specs: readonly IndexSpec[],
): Promise<void> {
  for (const { suffix, columns } of specs) {
    const name = `${ctx.prefix}${suffix}`;
    if (!(await hasIndex(db, ctx, table, name)))
      await db.schema.alterTable(table, (tb) => {
        tb.index([...columns], name);
      });
  }
}

/** Drop each index of `specs` from `table` that still exists. */
export async function dropIndexes(
  db: Knex,
  ctx: MigrationContext,
  table: string,
  specs: readonly IndexSpec[],
): Promise<void> {
  for (const { suffix } of specs) {
    const name = `${ctx.prefix}${suffix}`;
    if (await hasIndex(db, ctx, table, name))
      await db.schema.alterTable(table, (tb) => {
        tb.dropIndex([], name);
      });
  }
}
