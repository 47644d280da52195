import {
  type AttemptRequestRewrite,
  type RedactAttemptsOptions,
  type RedactReport,
  redactBatchSize,
  rewriteStoredRequest,
} from "@hookline/core";
import type { Knex } from "knex";
import { type StoreContext, transaction } from "../context.js";
import { caseById } from "../util/case-by-id.js";
import { retryTransient } from "../util/retry.js";
import { jsonOrNull, parseHeaders } from "../util/text.js";

interface StoredRow {
  id: string;
  endpoint_id: string;
  url: string | null;
  request_headers: unknown;
}

interface Rewritten {
  id: string;
  url: string | null;
  headers: string | null;
}

/**
 * Rewrite the URL and request headers of every stored attempt through `rewrite`, walking the
 * attempts by primary key, one short transaction per batch so writers are never held up for
 * long. Only rows whose stored values change are updated, so a second run writes nothing.
 */
export async function redactAttempts(
  ctx: StoreContext,
  rewrite: AttemptRequestRewrite,
  opts?: RedactAttemptsOptions,
): Promise<RedactReport> {
  const batchSize = redactBatchSize(opts?.batchSize);
  let after = "";
  let scanned = 0;
  let changed = 0;
  for (;;) {
    const batch = await retryTransient(ctx, () =>
      transaction(ctx, (trx) => redactBatch(ctx, trx, rewrite, after, batchSize, opts?.dryRun === true)),
    );
    scanned += batch.scanned;
    changed += batch.changed;
    if (batch.last !== null) after = batch.last;
    opts?.onProgress?.({ scanned, changed });
    if (batch.scanned < batchSize) return { scanned, changed };
  }
}

async function redactBatch(
  ctx: StoreContext,
  trx: Knex.Transaction,
  rewrite: AttemptRequestRewrite,
  after: string,
  limit: number,
  dryRun: boolean,
): Promise<{ scanned: number; changed: number; last: string | null }> {
  const { t, dialect } = ctx;
  const rows = (await trx(t.attempts)
    .select("id", "endpoint_id", "url", "request_headers")
    .where("id", ">", after)
    .orderBy("id")
    .limit(limit)) as StoredRow[];
  const updates: Rewritten[] = [];
  for (const r of rows) {
    const next = rewriteStoredRequest(rewrite, {
      attemptId: r.id,
      endpointId: r.endpoint_id,
      url: r.url,
      requestHeaders: parseHeaders(r.request_headers),
    });
    if (next.changed) updates.push({ id: r.id, url: next.url, headers: jsonOrNull(next.requestHeaders) });
  }
  if (!dryRun && updates.length > 0) {
    const ids = updates.map((u) => u.id);
    const perRow = (pick: (u: Rewritten) => string | null) =>
      caseById(trx, updates, (u) => u.id, pick, dialect.text);
    await trx(t.attempts)
      .whereIn("id", ids)
      .update({ url: perRow((u) => u.url), request_headers: perRow((u) => u.headers) });
  }
  return { scanned: rows.length, changed: updates.length, last: rows.at(-1)?.id ?? null };
}
