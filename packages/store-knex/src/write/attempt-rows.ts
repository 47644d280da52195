import { type AttemptResult, redactCredentialHeaders, redactUrl } from "@hookline/core";
import type { Knex } from "knex";
import type { StoreContext } from "../context.js";
import { chunk, rowsPerStatement } from "../util/chunk.js";
import { type Binding, runInsert } from "../util/sql.js";
import { jsonOrNull, truncateUtf8 } from "../util/text.js";

const MAX_ERROR_MESSAGE = 4000;

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

/** Insert one attempt row per result, in as few multi-row statements as the limits allow. */
export async function insertAttempts(
  ctx: StoreContext,
  trx: Knex.Transaction,
  results: readonly AttemptResult[],
): Promise<void> {
  const { dialect, t } = ctx;
  const rows = results.map((r) => attemptRow(ctx, r));
  const perStatement = rowsPerStatement(dialect.maxParams, ATTEMPT_COLUMNS.length, dialect.maxRowsPerInsert);
  const weigh = (a: Binding[]) => (a[BODY] as string | null)?.length ?? 0;
  for (const part of chunk(rows, perStatement, weigh, 2 * 1024 * 1024)) {
    await runInsert(trx, dialect, t.attempts, ATTEMPT_COLUMNS, part);
  }
}

function attemptRow(ctx: StoreContext, r: AttemptResult): Binding[] {
  const o = r.outcome;
  const body = o.body == null ? null : truncateUtf8(o.body, ctx.options.maxResponseBodyBytes);
  const message = o.error?.message;
  return [
    r.attemptId,
    r.deliveryId,
    r.endpointId,
    r.eventCode,
    r.attempt,
    r.startedAt.getTime(),
    Math.max(0, Math.round(o.durationMs)),
    // Callers redact already; this pass can only hide more, so credentials stay out regardless.
    r.request ? redactUrl(r.request.url) : null,
    jsonOrNull(r.request ? redactCredentialHeaders(r.request.headers) : null),
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
