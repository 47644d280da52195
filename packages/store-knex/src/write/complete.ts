import {
  type AttemptResult,
  type CircuitTransition,
  type CompletionReport,
  describeValue,
  type EndpointControl,
  HooklineError,
  type NextState,
} from "@hookline/core";
import type { Knex } from "knex";
import { type StoreContext, transaction } from "../context.js";
import { chunk } from "../util/chunk.js";
import { retryTransient } from "../util/retry.js";
import { type Binding, quoteId, rawCount, rawRows, run, tuple } from "../util/sql.js";
import { insertAttempts } from "./attempt-rows.js";
import { recordAttempts } from "./circuit.js";
import { controlsById } from "./control-options.js";
import { countCompletions } from "./stats-rollup.js";

/**
 * Completions per transaction: one fenced UPDATE, one multi-row INSERT and the roll-up's upsert. The
 * pipeline's completer hands over up to 500 (completeBatchSize) one call at a time, so a call is
 * one transaction. At 200 a typical 201–256-row call became two, the second tiny, each with its
 * own statements and commit: serial calls of 230 rows ran 8.3–9.8k rows/s at 200 and 10.3–11.2k/s
 * at 256 (3 alternating runs each), 460-row calls 10.0–12.0k/s at 256 and 12.5–12.7k/s at 500.
 */
const COMPLETE_CHUNK = 500;
const NEXT_STATUSES = new Set<NextState["status"]>(["succeeded", "pending", "failed", "cancelled"]);

interface DeliveryLock {
  id: string;
  status: string;
  claim_token: string | null;
}

function validate(results: readonly AttemptResult[]): void {
  if (!Array.isArray(results))
    throw new HooklineError(
      "HOOKLINE_INVALID_OPTION",
      `results: expected an array, got ${describeValue(results)}`,
    );
  for (const r of results) {
    // Copied onto the attempt row as given, so a missing one must not become a NULL or "undefined".
    for (const key of ["endpointId", "eventCode", "claimToken"] as const) {
      const v = r?.[key];
      if (typeof v !== "string" || v.length === 0 || v.length > 64)
        throw new HooklineError(
          "HOOKLINE_INVALID_OPTION",
          `${key}: expected a string of 1–64 chars, got ${describeValue(v)}`,
        );
    }
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
  opts?: { readonly controls?: readonly EndpointControl[] },
): Promise<CompletionReport> {
  validate(results);
  const controls = controlsById(opts?.controls, "complete");
  const circuits: CircuitTransition[] = [];
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
    const { done, transitions } = await completePart(ctx, part, controls);
    for (const r of part) (done.has(r.deliveryId) ? applied : stale).push(r.deliveryId);
    circuits.push(...transitions);
  }
  return controls ? { applied, stale, circuits } : { applied, stale };
}

/** What one part's transaction applied, and the circuits it opened or closed. */
interface PartResult {
  readonly done: Set<string>;
  readonly transitions: readonly CircuitTransition[];
}
type Controls = ReadonlyMap<string, EndpointControl> | undefined;

/** The part's applied attempts counted into breakers and pauses, in its transaction. */
async function finishPart(
  ctx: StoreContext,
  trx: Knex.Transaction,
  ok: readonly AttemptResult[],
  controls: Controls,
): Promise<PartResult> {
  const transitions = controls ? await recordAttempts(ctx, trx, ok, controls) : [];
  return { done: new Set(ok.map((r) => r.deliveryId)), transitions };
}

/** A fenced UPDATE changed fewer rows than it was given: which ones is only known under lock. */
class FenceMiss extends Error {}

/**
 * Usually every claim in a batch is still valid, so the batch is written blind: one fenced
 * UPDATE, then the attempt rows, in a transaction that needs no particular isolation level. Only
 * when the UPDATE changes fewer rows than it was given (a lease was lost) is that rolled back and
 * the batch redone the careful way: lock, check each token, write what passed.
 */
async function completePart(
  ctx: StoreContext,
  part: readonly AttemptResult[],
  controls: Controls,
): Promise<PartResult> {
  // PostgreSQL's plan for the blind UPDATE locks rows in heap order, so two completers (or a
  // completer and the locked path) can deadlock; locking in id order first rules that out there.
  // MySQL's UPDATE walks the primary key in order already, and SQLite has one writer.
  if (ctx.dialect.name === "postgres")
    return retryTransient(ctx, () => transaction(ctx, (trx) => completeLocked(ctx, trx, part, controls)));
  try {
    return await retryTransient(ctx, () =>
      ctx.db.transaction((trx) => completeBlind(ctx, trx, part, controls)),
    );
  } catch (err) {
    if (!(err instanceof FenceMiss)) throw err;
    return retryTransient(ctx, () => transaction(ctx, (trx) => completeLocked(ctx, trx, part, controls)));
  }
}

async function completeBlind(
  ctx: StoreContext,
  trx: Knex.Transaction,
  part: readonly AttemptResult[],
  controls: Controls,
): Promise<PartResult> {
  const changed = await updateDeliveries(ctx, trx, part);
  if (changed !== part.length) throw new FenceMiss();
  await insertAttempts(ctx, trx, part);
  await countCompletions(ctx, trx, part);
  return finishPart(ctx, trx, part, controls);
}

async function completeLocked(
  ctx: StoreContext,
  trx: Knex.Transaction,
  part: readonly AttemptResult[],
  controls: Controls,
): Promise<PartResult> {
  const { t, dialect } = ctx;
  // Lock the rows (in id order, so two completers never deadlock) and check the fence; a
  // re-claimer's SKIP LOCKED passes over them until we commit.
  // complete() has already set repeated deliveries aside, so the ids are distinct.
  const ids = part.map((r) => r.deliveryId).sort();
  const rows = rawRows<DeliveryLock>(
    dialect,
    await run(
      trx,
      `SELECT id, status, claim_token FROM ${quoteId(dialect, t.deliveries)} WHERE id IN ${tuple(ids.length)} ORDER BY id${dialect.skipLocked ? " FOR UPDATE" : ""}`,
      ids,
    ),
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  const ok = part.filter((r) => {
    const row = byId.get(r.deliveryId);
    return row?.status === "sending" && row.claim_token === r.claimToken;
  });
  if (ok.length === 0) return { done: new Set(), transitions: [] };
  const changed = await updateDeliveries(ctx, trx, ok);
  // Every row was checked under the lock; anything else means the fence broke: roll it all back.
  if (changed !== ok.length)
    throw new HooklineError(
      "HOOKLINE_STORE_ERROR",
      `completing deliveries: ${ok.length} claims were verified but ${changed} rows changed; nothing was recorded`,
    );
  await insertAttempts(ctx, trx, ok);
  await countCompletions(ctx, trx, ok);
  return finishPart(ctx, trx, ok, controls);
}

/**
 * One UPDATE for the batch. A column whose new value is the same for every row (most of them in
 * a batch of successes) is set to that value; only the others take a `CASE id WHEN … END`, which
 * the database evaluates branch by branch for every row.
 */
async function updateDeliveries(
  ctx: StoreContext,
  trx: Knex.Transaction,
  ok: readonly AttemptResult[],
): Promise<number> {
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
  for (const r of ok) bindings.push(r.deliveryId, r.claimToken);
  // The fence as one row-value list rather than a CASE per row: the database matches each
  // (id, token) pair against a sorted list, while `id IN` drives the primary-key lookup.
  const pairs = `(${ok.map(() => "(?, ?)").join(", ")})`;
  const where = `id IN ${tuple(ok.length)} AND status = 'sending' AND (id, claim_token) IN ${pairs}`;
  const table = quoteId(dialect, ctx.t.deliveries);
  return rawCount(dialect, await run(trx, `UPDATE ${table} SET ${set.join(", ")} WHERE ${where}`, bindings));
}
