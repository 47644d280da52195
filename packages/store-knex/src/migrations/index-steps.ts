import type { Knex } from "knex";
import type { MigrationContext } from "./migration.js";

/** An index a migration adds or drops: its name without the table prefix, and its columns. */
export interface IndexSpec {
  readonly suffix: string;
  readonly columns: readonly string[];
}

/** The columns of `table`'s index named `index`, in index order; empty when there is none. */
export async function indexColumns(
  db: Knex,
  ctx: MigrationContext,
  table: string,
  index: string,
): Promise<string[]> {
  if (ctx.dialect === "mysql") {
    const [rows] = (await db.raw(
      "SELECT column_name AS c FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = ? AND index_name = ? ORDER BY seq_in_index",
      [table, index],
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

/** Whether `table` has an index named `index` (MySQL 8 has no DROP/CREATE INDEX IF [NOT] EXISTS). */
export async function hasIndex(
  db: Knex,
  ctx: MigrationContext,
  table: string,
  index: string,
): Promise<boolean> {
  return (await indexColumns(db, ctx, table, index)).length > 0;
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
