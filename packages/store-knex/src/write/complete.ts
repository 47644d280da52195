import {
  type AttemptResult,
  type CompletionReport,
  describeValue,
  HooklineError,
  type NextState,
  redactHeaders,
} from "@hookline/core";
import type { Knex } from "knex";
import { type StoreContext, transaction } from "../context.js";
import { chunk, rowsPerStatement } from "../util/chunk.js";
import { retryTransient } from "../util/retry.js";
import { type Binding, insertSql, quoteId, rawCount, rawRows, run, tuple } from "../util/sql.js";
import { jsonOrNull, truncateUtf8 } from "../util/text.js";

/** Completions per transaction: one locking SELECT, one UPDATE, one multi-row INSERT. */
const COMPLETE_CHUNK = 200;
const MAX_ERROR_MESSAGE = 4000;
const NEXT_STATUSES = new Set<NextState["status"]>(["succeeded", "pending", "failed", "cancelled"]);

interface DeliveryLock {
  id: string;
  status: string;
  claim_token: string | null;
  endpoint_id: string;
  event_code: string;
}

function validate(results: readonly AttemptResult[]): void {
  if (!Array.isArray(results))
    throw new HooklineError(
      "HOOKLINE_INVALID_OPTION",
      `results: expected an array, got ${describeValue(results)}`,
    );
  for (const r of results) {
    if (!NEXT_STATUSES.has(r?.next?.status))
      throw new HooklineError(
        "HOOKLINE_INVALID_OPTION",
        `next.status: expected succeeded, pending, failed or cancelled, got ${describeValue(r?.next?.status)}`,
      );
  }
}

/**
 * Record attempts and move deliveries on, fenced by claim token: a delivery whose token no longer
 * matches (its lease expired and another worker re-claimed it, or it was already completed)
 * changes nothing and gets no attempt row; it is reported in `stale`.
 */
export async function complete(
  ctx: StoreContext,
  results: readonly AttemptResult[],
): Promise<CompletionReport> {
  validate(results);
  const applied: string[] = [];
  const stale: string[] = [];
  const seen = new Set<string>();
  const unique: AttemptResult[] = [];
  for (const r of results) {
    // The first completion of a delivery spends its token; a second one in the batch is stale.
    if (seen.has(r.deliveryId)) stale.push(r.deliveryId);
    else unique.push(r);
    seen.add(r.deliveryId);
  }
  for (const part of chunk(unique, COMPLETE_CHUNK)) {
    const done = await retryTransient(ctx, () => transaction(ctx, (trx) => completeIn(ctx, trx, part)));
    for (const r of part) (done.has(r.deliveryId) ? applied : stale).push(r.deliveryId);
  }
  return { applied, stale };
}

const ATTEMPT_COLUMNS = [
  "id",
  "delivery_id",
  "endpoint_id",
  "event_code",
  "attempt",
  "started_at",
  "duration_ms",
  "url",
  "request_headers",
  "response_status",
  "response_headers",
  "response_body",
  "response_truncated",
  "outcome",
  "error_code",
  "error_message",
] as const;
const BODY = ATTEMPT_COLUMNS.indexOf("response_body");

async function completeIn(
  ctx: StoreContext,
  trx: Knex.Transaction,
  part: readonly AttemptResult[],
): Promise<Set<string>> {
  const { t, dialect } = ctx;
  const table = quoteId(dialect, t.deliveries);
  // Lock the rows (in id order, so two completers never deadlock) and check the fence; a
  // re-claimer's SKIP LOCKED passes over them until we commit.
  const ids = [...new Set(part.map((r) => r.deliveryId))].sort();
  const rows = rawRows<DeliveryLock>(
    dialect,
    await run(
      trx,
      `SELECT id, status, claim_token, endpoint_id, event_code FROM ${table} WHERE id IN ${tuple(ids.length)} ORDER BY id${dialect.skipLocked ? " FOR UPDATE" : ""}`,
      ids,
    ),
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  const ok = part.filter((r) => {
    const row = byId.get(r.deliveryId);
    return row?.status === "sending" && row.claim_token === r.claimToken;
  });
  if (ok.length === 0) return new Set();
  await updateDeliveries(ctx, trx, table, ok);
  const attempts = ok.map((r) => attemptRow(ctx, r, byId.get(r.deliveryId)!));
  const perStatement = rowsPerStatement(dialect.maxParams, ATTEMPT_COLUMNS.length, dialect.maxRowsPerInsert);
  const weigh = (a: Binding[]) => (a[BODY] as string | null)?.length ?? 0;
  for (const rowsPart of chunk(attempts, perStatement, weigh, 2 * 1024 * 1024)) {
    const q = insertSql(dialect, t.attempts, ATTEMPT_COLUMNS, rowsPart);
    await run(trx, q.sql, q.bindings);
  }
  return new Set(ok.map((r) => r.deliveryId));
}

/**
 * One UPDATE for the batch. A column whose new value is the same for every row (most of them in
 * a batch of successes) is set to that value; only the others take a `CASE id WHEN … END`, which
 * the database evaluates branch by branch for every row.
 */
async function updateDeliveries(
  ctx: StoreContext,
  trx: Knex.Transaction,
  table: string,
  ok: readonly AttemptResult[],
): Promise<void> {
  const { dialect } = ctx;
  const now = dialect.nowMs();
  const bindings: Binding[] = [];
  const assign = (
    column: string,
    pick: (r: AttemptResult) => string | number | null,
    render: (p: string) => string,
    nullSql: string,
  ): string => {
    const values = ok.map(pick);
    const first = values[0] ?? null;
    const cell = (v: string | number | null) => {
      if (v === null) return nullSql;
      bindings.push(v);
      return render("?");
    };
    if (values.every((v) => v === first)) return `${column} = ${cell(first)}`;
    const branches = values.map((v, i) => {
      bindings.push(ok[i]!.deliveryId);
      return `WHEN ? THEN ${cell(v)}`;
    });
    return `${column} = CASE id ${branches.join(" ")} END`;
  };
  const intNull = dialect.int("NULL");
  const set = [
    assign("status", (r) => r.next.status, dialect.text, dialect.text("NULL")),
    assign(
      "next_attempt_at",
      (r) => (r.next.status === "pending" ? Math.max(0, Math.round(r.next.delayMs)) : null),
      (p) => `${now} + ${dialect.int(p)}`,
      intNull,
    ),
    "lease_until = NULL",
    "claim_token = NULL",
    assign("last_status", (r) => r.outcome.status ?? null, dialect.int, intNull),
    assign("last_error_code", (r) => r.outcome.error?.code ?? null, dialect.text, dialect.text("NULL")),
    assign("last_duration_ms", (r) => Math.max(0, Math.round(r.outcome.durationMs)), dialect.int, intNull),
    `updated_at = ${now}`,
  ];
  for (const r of ok) bindings.push(r.deliveryId);
  let where = `id IN ${tuple(ok.length)} AND status = 'sending'`;
  // The locking read above fenced these rows, and MySQL and PostgreSQL keep them locked until
  // commit. SQLite has no row locks: the statement checks each claim token itself.
  if (!dialect.skipLocked) {
    const branches = ok.map((r) => {
      bindings.push(r.deliveryId, r.claimToken);
      return `WHEN ? THEN ${dialect.text("?")}`;
    });
    where += ` AND claim_token = CASE id ${branches.join(" ")} END`;
  }
  const changed = rawCount(
    dialect,
    await run(trx, `UPDATE ${table} SET ${set.join(", ")} WHERE ${where}`, bindings),
  );
  // Every row was checked under the lock; anything else means the fence broke: roll it all back.
  if (changed !== ok.length)
    throw new HooklineError(
      "HOOKLINE_STORE_ERROR",
      `completing deliveries: ${ok.length} claims were verified but ${changed} rows changed; nothing was recorded`,
    );
}

function attemptRow(ctx: StoreContext, r: AttemptResult, delivery: DeliveryLock): Binding[] {
  const o = r.outcome;
  const body = o.body == null ? null : truncateUtf8(o.body, ctx.options.maxResponseBodyBytes);
  const message = o.error?.message;
  return [
    r.attemptId,
    r.deliveryId,
    delivery.endpoint_id,
    delivery.event_code,
    r.attempt,
    r.startedAt.getTime(),
    Math.max(0, Math.round(o.durationMs)),
    r.request?.url ?? null,
    // Callers redact already; redacting again keeps credentials out of the log regardless.
    jsonOrNull(r.request ? redactHeaders(r.request.headers) : null),
    o.status ?? null,
    jsonOrNull(o.headers),
    // Response bytes come from strangers; PostgreSQL TEXT rejects NUL, so it is replaced there.
    body === null ? null : ctx.dialect.storableText(body.text),
    (o.bodyTruncated ?? false) || (body?.truncated ?? false),
    o.kind,
    o.error?.code ?? null,
    message == null ? null : ctx.dialect.storableText(message.slice(0, MAX_ERROR_MESSAGE)),
  ];
}
