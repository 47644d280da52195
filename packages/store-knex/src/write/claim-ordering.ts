import type { SubjectKey } from "@hookline/core";
import type { Knex } from "knex";
import type { StoreContext } from "../context.js";
import { SUBJECT_ORDER_INDEX, UNFINISHED_SQL } from "../migrations/0008-subject-order.js";
import { quoteId, rawRows } from "../util/sql.js";

/** Alias of the sibling table in the ordering probes; no query of the store names a table so. */
const SIBLING = "hl_sib";

// Each probe names one status, so MySQL reads dlv_subject_order_idx by (endpoint_id, subject,
// status) and finds its rows in (created_at, id) order: its index holds terminal rows too, and a
// probe that named both statuses read every row of the subject (EXPLAIN ANALYZE, MariaDB 10.11).
// Each also repeats the partial index's own term, UNFINISHED_SQL: SQLite uses a partial index
// only for a query that contains that term. SQLite is told the index: after ANALYZE of a log of
// 100,000 rows it chose (subject, created_at, id), which walks the subject's finished history too.
// MySQL is told it too: on a table whose persistent statistics predate its rows (new, or grown
// fast since the last recount) MariaDB 10.11 chose (endpoint_id, created_at, id) and read every
// row of the endpoint per probe, 200-950 ms for a batch of 500 where the index takes 7-15 ms.
const siblingsOf = (ctx: StoreContext, outer: string, status: "pending" | "sending") => {
  const s = SIBLING;
  return `FROM ${quoteId(ctx.dialect, ctx.t.deliveries)} ${s}${indexHint(ctx)}
    WHERE ${s}.endpoint_id = ${outer}.endpoint_id AND ${s}.subject = ${outer}.subject
      AND ${s}.${UNFINISHED_SQL} AND ${s}.status = '${status}'`;
};

/** SQL: a delivery of `outer`'s endpoint and subject in `status` sorts before it by (created_at, id). */
function earlierIn(ctx: StoreContext, outer: string, status: "pending" | "sending"): string {
  const s = SIBLING;
  return `EXISTS (SELECT 1 ${siblingsOf(ctx, outer, status)}
      AND (${s}.created_at, ${s}.id) < (${outer}.created_at, ${outer}.id))`;
}

/**
 * SQL that is true when a delivery of the same endpoint and subject as `outer` (a table alias or a
 * quoted table name) sorts before it by (created_at, id) and is still pending or sending: what
 * holds an ordered delivery back. A NULL subject equals nothing, so it is never held.
 */
export function earlierUnfinishedSql(ctx: StoreContext, outer: string): string {
  return `(${earlierIn(ctx, outer, "sending")} OR ${earlierIn(ctx, outer, "pending")})`;
}

/**
 * Narrow the claim's read of expired leases (sending rows of the deliveries table, unaliased) to
 * rows that may go now: an ordered delivery left claimed behind an earlier one of the same claimer
 * (InsertReport.queued) whose process died waits until the one ahead of it has ended.
 */
export function notBehindUnfinished(ctx: StoreContext, q: Knex.QueryBuilder): Knex.QueryBuilder {
  const outer = quoteId(ctx.dialect, ctx.t.deliveries);
  return q.whereRaw(
    `(${boolSql(ctx, `${outer}.ordered`, false)} OR ${outer}.subject IS NULL
      OR NOT ${earlierUnfinishedSql(ctx, outer)})`,
  );
}

/**
 * SQL: the id of the first pending delivery of `outer`'s endpoint and subject by (created_at, id).
 * One index entry on every database, where "is there an earlier pending one" reads, when there is
 * none, every pending one after it on MySQL.
 */
function firstPendingSql(ctx: StoreContext, outer: string): string {
  const s = SIBLING;
  return `(SELECT ${s}.id ${siblingsOf(ctx, outer, "pending")} ORDER BY ${s}.created_at, ${s}.id LIMIT 1)`;
}

/** Boolean `column` holds `value`, in each database's spelling (MySQL and SQLite store 0 and 1). */
export function boolSql(ctx: StoreContext, column: string, value: boolean): string {
  if (ctx.dialect.name === "postgres") return value ? column : `NOT ${column}`;
  return `${column} = ${value ? 1 : 0}`;
}

/**
 * Narrow the claim's due scan (pending rows of the deliveries table, unaliased) to rows that may
 * go now: unordered rows, rows without a subject, and the head of each ordered subject: the first
 * pending one, with no earlier one sending. The due index still gives the order and the LIMIT; the
 * probes run per scanned ordered row, so the scan passes over rows held behind an unfinished one
 * (see "Ordering by subject" in the README for the cost).
 */
export function headsOnly(ctx: StoreContext, q: Knex.QueryBuilder): Knex.QueryBuilder {
  const outer = quoteId(ctx.dialect, ctx.t.deliveries);
  return q.whereRaw(
    `(${boolSql(ctx, `${outer}.ordered`, false)} OR ${outer}.subject IS NULL
      OR (${outer}.id = ${firstPendingSql(ctx, outer)} AND NOT ${earlierIn(ctx, outer, "sending")}))`,
  );
}

/**
 * PostgreSQL prices the claim's due scan by how few rows it expects past the ordering probes, and
 * past `jit_above_cost` (on by default since PostgreSQL 12) it compiles the query first: 20 ms of
 * JIT for a 1 ms query of 100 rows (EXPLAIN ANALYZE, PostgreSQL 15, 100,000 pending). Off for the
 * claim's transaction only.
 */
export async function claimWithoutJit(ctx: StoreContext, trx: Knex.Transaction): Promise<void> {
  if (ctx.dialect.name === "postgres") await trx.raw("SET LOCAL jit = off");
}

/** Subjects whose first pending row one statement looks up (one column each). */
const FIRSTS_PER_READ = 200;

/**
 * Due ids among the next delivery of each named subject (DeliveryStore.claimDue `subjects`). One
 * read finds each subject's first pending row with a `LIMIT 1` probe of dlv_subject_order_idx (a
 * column per subject: MariaDB takes no LIMIT in an IN subquery), so a claim of the successors of
 * deliveries that just ended reads a few index entries however long the lines and the backlog;
 * the locking read then re-checks those rows with the claim's own probes.
 */
export async function subjectHeads(
  ctx: StoreContext,
  trx: Knex.Transaction,
  now: string,
  limit: number,
  endpointIds: readonly string[],
  subjects: readonly SubjectKey[],
): Promise<string[]> {
  const known = new Set(endpointIds);
  const unique = new Map<string, SubjectKey>();
  for (const k of subjects) if (known.has(k.endpointId)) unique.set(`${k.endpointId}\u0000${k.subject}`, k);
  const keys = [...unique.values()];
  const firsts: string[] = [];
  for (let from = 0; from < keys.length; from += FIRSTS_PER_READ)
    firsts.push(...(await firstPending(ctx, trx, keys.slice(from, from + FIRSTS_PER_READ))));
  if (firsts.length === 0) return [];
  const table = quoteId(ctx.dialect, ctx.t.deliveries);
  const q = trx(ctx.t.deliveries)
    .select("id")
    .whereIn("id", firsts)
    .andWhere("status", "pending")
    .andWhere("next_attempt_at", "<=", trx.raw(now))
    .andWhereRaw(boolSql(ctx, `${table}.ordered`, true));
  const heads = headsOnly(ctx, q).limit(limit);
  const rows = (await (ctx.dialect.skipLocked ? heads.forUpdate().skipLocked() : heads)) as { id: string }[];
  return rows.map((r) => r.id);
}

/** Each subject's first pending delivery id, where it has one. */
async function firstPending(ctx: StoreContext, trx: Knex.Transaction, keys: readonly SubjectKey[]) {
  const s = SIBLING;
  const probe = `(SELECT ${s}.id FROM ${quoteId(ctx.dialect, ctx.t.deliveries)} ${s}${indexHint(ctx)}
    WHERE ${s}.endpoint_id = ? AND ${s}.subject = ? AND ${s}.${UNFINISHED_SQL} AND ${s}.status = 'pending'
    ORDER BY ${s}.created_at, ${s}.id LIMIT 1)`;
  const columns = keys.map((_, i) => `${probe} AS h${i}`).join(", ");
  const result: unknown = await trx.raw(
    `SELECT ${columns}`,
    keys.flatMap((k) => [k.endpointId, k.subject]),
  );
  const [row] = rawRows<Record<string, unknown>>(ctx.dialect, result);
  return Object.values(row ?? {}).filter((id): id is string => typeof id === "string");
}

/** The ordering index named for `ctx`'s database, as a table hint (see siblingsOf), or "". */
export function indexHint(ctx: StoreContext): string {
  const name = quoteId(ctx.dialect, `${ctx.options.tablePrefix}${SUBJECT_ORDER_INDEX}`);
  if (ctx.dialect.name === "sqlite") return ` INDEXED BY ${name}`;
  return ctx.dialect.name === "mysql" ? ` FORCE INDEX (${name})` : "";
}
