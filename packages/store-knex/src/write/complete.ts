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
import { caseById } from "../util/case-by-id.js";
import { chunk, rowsPerStatement } from "../util/chunk.js";
import { retryTransient } from "../util/retry.js";
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

async function completeIn(
  ctx: StoreContext,
  trx: Knex.Transaction,
  part: readonly AttemptResult[],
): Promise<Set<string>> {
  const { t, dialect } = ctx;
  // Lock the rows (in id order, so two completers never deadlock) and check the fence; a
  // re-claimer's SKIP LOCKED passes over them until we commit.
  const q = trx(t.deliveries)
    .select("id", "status", "claim_token", "endpoint_id", "event_code")
    .whereIn("id", [...new Set(part.map((r) => r.deliveryId))].sort())
    .orderBy("id");
  const rows = (await (dialect.skipLocked ? q.forUpdate() : q)) as DeliveryLock[];
  const byId = new Map(rows.map((r) => [r.id, r]));
  const ok = part.filter((r) => {
    const row = byId.get(r.deliveryId);
    return row?.status === "sending" && row.claim_token === r.claimToken;
  });
  if (ok.length === 0) return new Set();
  const now = dialect.nowMs();
  const idOf = (r: AttemptResult) => r.deliveryId;
  const when = (pick: (r: AttemptResult) => string | number | null, render: (p: string) => string) =>
    caseById(trx, ok, idOf, pick, render);
  await trx(t.deliveries)
    .whereIn(
      "id",
      ok.map((r) => r.deliveryId),
    )
    .andWhere(
      "claim_token",
      when((r) => r.claimToken, dialect.text),
    )
    .update({
      status: when((r) => r.next.status, dialect.text),
      next_attempt_at: when(
        (r) => (r.next.status === "pending" ? Math.max(0, Math.round(r.next.delayMs)) : null),
        (p) => `${now} + ${dialect.int(p)}`,
      ),
      lease_until: null,
      claim_token: null,
      last_status: when((r) => r.outcome.status ?? null, dialect.int),
      last_error_code: when((r) => r.outcome.error?.code ?? null, dialect.text),
      last_duration_ms: when((r) => Math.max(0, Math.round(r.outcome.durationMs)), dialect.int),
      updated_at: trx.raw(now),
    });
  const attempts = ok.map((r) => attemptRow(ctx, r, byId.get(r.deliveryId)!));
  const perStatement = rowsPerStatement(dialect.maxParams, 16, dialect.maxRowsPerInsert);
  const weigh = (a: { response_body: string | null }) => a.response_body?.length ?? 0;
  for (const rowsPart of chunk(attempts, perStatement, weigh, 2 * 1024 * 1024)) {
    await trx(t.attempts).insert(rowsPart);
  }
  return new Set(ok.map((r) => r.deliveryId));
}

function attemptRow(ctx: StoreContext, r: AttemptResult, delivery: DeliveryLock) {
  const o = r.outcome;
  const body = o.body == null ? null : truncateUtf8(o.body, ctx.options.maxResponseBodyBytes);
  const message = o.error?.message;
  return {
    id: r.attemptId,
    delivery_id: r.deliveryId,
    endpoint_id: delivery.endpoint_id,
    event_code: delivery.event_code,
    attempt: r.attempt,
    started_at: r.startedAt.getTime(),
    duration_ms: Math.max(0, Math.round(o.durationMs)),
    url: r.request?.url ?? null,
    // Callers redact already; redacting again keeps credentials out of the log regardless.
    request_headers: jsonOrNull(r.request ? redactHeaders(r.request.headers) : null),
    response_status: o.status ?? null,
    response_headers: jsonOrNull(o.headers),
    // Response bytes come from strangers; PostgreSQL TEXT rejects NUL, so it is replaced there.
    response_body: body === null ? null : ctx.dialect.storableText(body.text),
    response_truncated: (o.bodyTruncated ?? false) || (body?.truncated ?? false),
    outcome: o.kind,
    error_code: o.error?.code ?? null,
    error_message: message == null ? null : ctx.dialect.storableText(message.slice(0, MAX_ERROR_MESSAGE)),
  };
}
