import type { CircuitState } from "@hookline/core";
import type { Knex } from "knex";
import type { StoreContext } from "../context.js";
import { chunk } from "../util/chunk.js";
import { num, numOrNull } from "../util/convert.js";
import { quoteId, rawRows, run, tuple } from "../util/sql.js";

/** The rate-limit, pause and breaker columns of one endpoint state row (migration 0009). */
export interface ControlRow {
  readonly endpointId: string;
  /** Null: the bucket was never used, so it is full. */
  readonly tokens: number | null;
  readonly tokensAt: number | null;
  readonly pausedUntil: number | null;
  readonly circuit: CircuitState;
  readonly failures: number;
  readonly openUntil: number | null;
  readonly cooldownMs: number | null;
  readonly probeId: string | null;
  readonly probeUntil: number | null;
}

/** Column → value of an UPDATE of one control row; a string value of `sql` is raw SQL. */
export type ControlPatch = Record<string, number | string | null | { readonly sql: string }>;

const COLUMNS = [
  "endpoint_id",
  "tokens",
  "tokens_at",
  "paused_until",
  "circuit",
  "failures",
  "open_until",
  "cooldown_ms",
  "probe_id",
  "probe_until",
] as const;

/** Endpoint ids per statement: the table is small, but a claimer may know many endpoints. */
const ROWS_CHUNK = 500;

function toRow(r: Record<string, unknown>): ControlRow {
  return {
    endpointId: r.endpoint_id as string,
    tokens: r.tokens == null ? null : num(r.tokens),
    tokensAt: numOrNull(r.tokens_at),
    pausedUntil: numOrNull(r.paused_until),
    circuit: (r.circuit as CircuitState | null) ?? "closed",
    failures: num(r.failures ?? 0),
    openUntil: numOrNull(r.open_until),
    cooldownMs: numOrNull(r.cooldown_ms),
    probeId: (r.probe_id as string | null) ?? null,
    probeUntil: numOrNull(r.probe_until),
  };
}

/**
 * The control rows of `endpointIds` (endpoints without a row are left out) and the database
 * clock in epoch ms, read in the same statement so limits are computed on the clock claims
 * compare leases with. `lock`: the rows are locked until the transaction ends (FOR UPDATE, in
 * endpoint order so two lockers never deadlock; SQLite has one writer and needs none), and the
 * clock is read once they are held.
 */
export async function readControlRows(
  ctx: StoreContext,
  trx: Knex.Transaction,
  endpointIds: readonly string[],
  lock: boolean,
): Promise<{ now: number; rows: Map<string, ControlRow> }> {
  const { dialect } = ctx;
  const table = quoteId(dialect, ctx.t.endpoints);
  const cols = COLUMNS.map((c) => `e.${quoteId(dialect, c)}`).join(", ");
  const rows = new Map<string, ControlRow>();
  let now: number | undefined;
  for (const part of chunk([...new Set(endpointIds)].sort(), ROWS_CHUNK)) {
    // A one-row derived table joined to the endpoint rows: the clock comes back even when no
    // endpoint has a row yet. A locking read cannot take an outer join's NULL side, so it reads
    // the table alone (its rows exist: callers insert missing ones first).
    const sql = lock
      ? `SELECT ${cols}, ${dialect.nowMs()} AS db_now FROM ${table} e WHERE e.endpoint_id IN ${tuple(part.length)} ORDER BY e.endpoint_id${dialect.skipLocked ? " FOR UPDATE" : ""}`
      : `SELECT ${cols}, ${dialect.nowMs()} AS db_now FROM (SELECT 1 AS one) x LEFT JOIN ${table} e ON e.endpoint_id IN ${tuple(part.length)}`;
    for (const r of rawRows<Record<string, unknown>>(dialect, await run(trx, sql, part))) {
      now ??= num(r.db_now);
      if (r.endpoint_id != null) rows.set(r.endpoint_id as string, toRow(r));
    }
  }
  // A locking read's clock is its statement's start, before any wait for the lock: read it again,
  // or a claim that waited would date its sends (the rate limit's window) and its bucket too early.
  if (lock || now === undefined) now = await databaseNow(ctx, trx);
  return { now, rows };
}

async function databaseNow(ctx: StoreContext, trx: Knex.Transaction): Promise<number> {
  const rows = rawRows<{ n: unknown }>(ctx.dialect, await run(trx, `SELECT ${ctx.dialect.nowMs()} AS n`, []));
  return num(rows[0]?.n);
}

/**
 * Give each endpoint a state row if it has none. The switch columns say "enabled, never
 * switched": updated_at 0 reads back as null (getEndpointStates), and setEndpointDisabled's
 * upsert overwrites them without touching the control columns.
 */
export async function ensureControlRows(
  ctx: StoreContext,
  trx: Knex.Transaction,
  endpointIds: readonly string[],
): Promise<void> {
  for (const part of chunk([...new Set(endpointIds)].sort(), ROWS_CHUNK)) {
    await trx(ctx.t.endpoints)
      .insert(part.map((endpoint_id) => ({ endpoint_id, disabled: false, updated_at: 0 })))
      .onConflict("endpoint_id")
      .ignore();
  }
}

/** Write `patch` to one endpoint's row; nothing when the patch is empty. */
export async function updateControlRow(
  ctx: StoreContext,
  trx: Knex.Transaction,
  endpointId: string,
  patch: ControlPatch,
): Promise<void> {
  const entries = Object.entries(patch);
  if (entries.length === 0) return;
  const set = Object.fromEntries(
    entries.map(([k, v]) => [k, typeof v === "object" && v !== null ? trx.raw(v.sql) : v]),
  );
  await trx(ctx.t.endpoints).where("endpoint_id", endpointId).update(set);
}
