import type { Knex } from "knex";
import type { StoreContext } from "../context.js";
import { UNFINISHED_SQL } from "../migrations/0008-subject-order.js";
import { quoteId } from "../util/sql.js";

/** Alias of the sibling table in the ordering probe; no query of the store names a table so. */
const SIBLING = "hl_sib";

/**
 * SQL that is true when a delivery of the same endpoint and subject as `outer` (a table alias or a
 * quoted table name) sorts before it by (created_at, id) and is still pending or sending: what
 * holds an ordered delivery back. A NULL subject equals nothing, so it is never held. The probe is
 * one dive into dlv_subject_order_idx; its WHERE repeats the partial index's own term so SQLite
 * can use that index (it matches terms by their text).
 */
export function earlierUnfinishedSql(ctx: StoreContext, outer: string): string {
  const s = SIBLING;
  return `EXISTS (SELECT 1 FROM ${quoteId(ctx.dialect, ctx.t.deliveries)} ${s}
    WHERE ${s}.endpoint_id = ${outer}.endpoint_id AND ${s}.subject = ${outer}.subject AND ${s}.${UNFINISHED_SQL}
      AND (${s}.created_at < ${outer}.created_at OR (${s}.created_at = ${outer}.created_at AND ${s}.id < ${outer}.id)))`;
}

/** Boolean `column` holds `value`, in each database's spelling (MySQL and SQLite store 0 and 1). */
export function boolSql(ctx: StoreContext, column: string, value: boolean): string {
  if (ctx.dialect.name === "postgres") return value ? column : `NOT ${column}`;
  return `${column} = ${value ? 1 : 0}`;
}

/**
 * Narrow the claim's due scan (pending rows of the deliveries table, unaliased) to rows that may
 * go now: unordered rows, rows without a subject, and the head of each ordered subject. The due
 * index still gives the order and the LIMIT; the probe runs per scanned ordered row, so the scan
 * passes over rows held behind an unfinished one (see "Ordering" in the README for the cost).
 */
export function headsOnly(ctx: StoreContext, q: Knex.QueryBuilder): Knex.QueryBuilder {
  const outer = quoteId(ctx.dialect, ctx.t.deliveries);
  return q.whereRaw(
    `(${boolSql(ctx, `${outer}.ordered`, false)} OR ${outer}.subject IS NULL OR NOT ${earlierUnfinishedSql(ctx, outer)})`,
  );
}
