import { describeValue, HooklineError, type InsertReport, type NewEvent } from "@hookline/core";
import type { Knex } from "knex";
import { type StoreContext, transaction } from "../context.js";
import { chunk, rowsPerStatement } from "../util/chunk.js";
import { groupBy } from "../util/group.js";
import { retryTransient } from "../util/retry.js";
import { type Cell, run, runInsert, type SqlValue } from "../util/sql.js";
import { traceCells } from "../util/trace-context.js";
import { admitInserted } from "./insert-admission.js";
import { holdClosedEndpoints } from "./insert-controls.js";
import { addDeliveryCells } from "./stats-rollup.js";

type Duplicate = { eventId: string; deliveryIds: string[] };

/**
 * Rounds of one insertEvents() call. A lost idempotency race costs one more, and so does a stored
 * id (a retried write); more than a few races means something else is wrong.
 */
const MAX_KEY_RACES = 5;
/** Keeps one multi-row INSERT well under MySQL's default 16 MiB max_allowed_packet. */
const BODY_BYTES_PER_STATEMENT = 4 * 1024 * 1024;
const LOOKUP_CHUNK = 1000;

function asTransaction(trx: unknown): Knex.Transaction {
  const t = trx as Partial<Knex.Transaction> | undefined;
  if (typeof trx !== "function" || t?.isTransaction !== true || typeof t.isCompleted !== "function")
    throw new HooklineError(
      "HOOKLINE_INVALID_OPTION",
      `trx: expected a knex transaction, got ${describeValue(trx)}`,
    );
  if (t.isCompleted())
    throw new HooklineError("HOOKLINE_INVALID_OPTION", "trx: the transaction has already completed");
  return trx as Knex.Transaction;
}

/**
 * Insert events and their deliveries in one transaction. With `trx` the work runs in a savepoint
 * of the caller's transaction (the transactional outbox): it commits or rolls back with it.
 */
export async function insertEvents(
  ctx: StoreContext,
  batch: readonly NewEvent[],
  trx: unknown,
): Promise<InsertReport> {
  if (!Array.isArray(batch))
    throw new HooklineError(
      "HOOKLINE_INVALID_OPTION",
      `batch: expected an array, got ${describeValue(batch)}`,
    );
  const outer = trx === undefined ? undefined : asTransaction(trx);
  if (batch.length === 0) return { duplicates: new Map() };
  for (let round = 1; ; round++) {
    const run = (tx: Knex.Transaction) => insertBatch(ctx, tx, batch, round > 1);
    try {
      // A savepoint (nested transaction) lets a lost race roll back without aborting the
      // caller's transaction, which PostgreSQL would otherwise do on the unique violation.
      return outer ? await outer.transaction(run) : await retryTransient(ctx, () => transaction(ctx, run));
    } catch (err) {
      // Another writer committed the same idempotency key between our lookup and our insert:
      // look again, and this time its event is reported as the original. Any other unique
      // violation gets one more round, which skips stored ids (a retried write); a clash that
      // survives that round is not one, and more rounds would only repeat it.
      const keyRace = ctx.dialect.isUniqueViolation(err, "idempotency_key");
      if (round < MAX_KEY_RACES && (keyRace || (round === 1 && ctx.dialect.isUniqueViolation(err)))) continue;
      throw err;
    }
  }
}

/**
 * Stored events whose `column` is one of `values`, as value → event id. `lockingRead`: in a
 * caller's REPEATABLE READ transaction on MySQL a plain read keeps returning the old snapshot
 * after a lost race (or a clash with a row committed since); a locking read returns the committed
 * row.
 */
async function storedEvents(
  ctx: StoreContext,
  tx: Knex.Transaction,
  column: "id" | "idempotency_key",
  values: readonly string[],
  lockingRead: boolean,
): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (const part of chunk(values, LOOKUP_CHUNK)) {
    const q = tx(ctx.t.events).select({ id: "id", v: column }).whereIn(column, part);
    const rows = (await (lockingRead && ctx.dialect.name === "mysql" ? q.forShare() : q)) as {
      id: string;
      v: string;
    }[];
    for (const r of rows) found.set(r.v, r.id);
  }
  return found;
}

async function deliveryIdsOf(
  ctx: StoreContext,
  tx: Knex.Transaction,
  eventIds: readonly string[],
): Promise<Map<string, string[]>> {
  const rows: { id: string; event_id: string }[] = [];
  for (const part of chunk(eventIds, LOOKUP_CHUNK))
    rows.push(
      ...((await tx(ctx.t.deliveries).select("id", "event_id").whereIn("event_id", part).orderBy("id")) as {
        id: string;
        event_id: string;
      }[]),
    );
  return groupBy(
    rows,
    (r) => r.event_id,
    (r) => r.id,
  );
}

/**
 * `retry`: an earlier round failed on a unique key. Ids are random and time-ordered, so a stored
 * id can only be this very event, written by an earlier call whose acknowledgement was lost:
 * inserting it again must be a no-op, not a primary-key error that makes an accepted emit look
 * failed. The first round does not look: ids fresh from newId() are never stored, and that
 * lookup cost MariaDB and Node 2–4 µs each per event (bench/src/diag/store-costs.ts, 3 pairs);
 * a stored id fails the insert on its primary key, and the retry skips it.
 */
async function insertBatch(
  ctx: StoreContext,
  tx: Knex.Transaction,
  all: readonly NewEvent[],
  retry: boolean,
): Promise<InsertReport> {
  // Ids stored already, then each one as it is taken: an event given twice in one call is stored
  // once, like an event given again in a later call.
  const storedIds = retry
    ? await storedEvents(
        ctx,
        tx,
        "id",
        all.map((e) => e.id),
        true,
      )
    : undefined;
  const seen = new Set(storedIds?.keys());
  const batch = all.filter((e) => {
    if (seen.has(e.id)) return false;
    seen.add(e.id);
    return true;
  });
  const keys = [...new Set(batch.flatMap((e) => (e.idempotencyKey == null ? [] : [e.idempotencyKey])))];
  const existing =
    keys.length > 0 ? await storedEvents(ctx, tx, "idempotency_key", keys, retry) : new Map<string, string>();
  const originals =
    existing.size > 0 ? await deliveryIdsOf(ctx, tx, [...new Set(existing.values())]) : new Map();
  const duplicates = new Map<string, Duplicate>();
  const firstWithKey = new Map<string, NewEvent>();
  const fresh: NewEvent[] = [];
  for (const ev of batch) {
    const key = ev.idempotencyKey;
    if (key != null) {
      const stored = existing.get(key);
      const earlier = firstWithKey.get(key);
      // Its key found this very event: stored by an earlier try of this write, a no-op as above.
      if (stored === ev.id) continue;
      if (stored !== undefined) {
        duplicates.set(ev.id, { eventId: stored, deliveryIds: originals.get(stored) ?? [] });
        continue;
      }
      if (earlier) {
        duplicates.set(ev.id, { eventId: earlier.id, deliveryIds: earlier.deliveries.map((d) => d.id) });
        continue;
      }
      firstWithKey.set(key, ev);
    }
    fresh.push(ev);
  }
  await insertRows(ctx, tx, fresh);
  // Held first: a delivery put back pending there is one a newer state of the batch supersedes.
  const held = await holdClosedEndpoints(ctx, tx, fresh);
  return { duplicates, ...(await admitInserted(ctx, tx, fresh, held)) };
}

// The columns insertRows writes, each list in the order of the cells of the rows it builds below.
// They are not the lists schema/rows.ts reads (EVENT_COLUMNS, DELIVERY_COLUMNS): a stored delivery
// carries its lease and claim here, and the read side its last attempt's outcome.
const EVENT_INSERT_COLUMNS = [
  "id",
  "code",
  "subject",
  "body",
  "idempotency_key",
  "created_at",
  "trace_parent",
  "trace_state",
] as const;
const EVENT_BODY = EVENT_INSERT_COLUMNS.indexOf("body");
// A chunk whose events carry no trace context (no OpenTelemetry SDK recorded the emits) leaves the
// two trace columns out: no NULL pair per row, and the statement a schema before 0007 takes too.
const UNTRACED_COLUMNS = EVENT_INSERT_COLUMNS.length - 2;
const untraced = (rows: readonly Cell[][]) =>
  rows.every((r) => r[UNTRACED_COLUMNS] === null) ? rows.map((r) => r.slice(0, UNTRACED_COLUMNS)) : undefined;
const DELIVERY_INSERT_COLUMNS = [
  "id",
  "event_id",
  "event_code",
  "endpoint_id",
  "subject",
  "status",
  "attempts",
  "next_attempt_at",
  "lease_until",
  "claim_token",
  "worker_id",
  "created_at",
  "updated_at",
  "ordered",
] as const;
// Without an ordered delivery in the call, `ordered` is left out (its default is false): no cell
// per row, and the statement a schema before 0008 takes too.
const UNORDERED_COLUMNS = DELIVERY_INSERT_COLUMNS.slice(0, -1);

async function insertRows(ctx: StoreContext, tx: Knex.Transaction, events: readonly NewEvent[]) {
  const { t, dialect } = ctx;
  const eventRows: Cell[][] = events.map((e) => [
    e.id,
    e.code,
    e.subject ?? null,
    e.body,
    e.idempotencyKey ?? null,
    e.createdAt.getTime(),
    ...traceCells(e.traceContext),
  ]);
  const perEvents = rowsPerStatement(
    dialect.maxParams,
    EVENT_INSERT_COLUMNS.length,
    dialect.maxRowsPerInsert,
  );
  const weigh = (r: Cell[]) => Buffer.byteLength(r[EVENT_BODY] as string, "utf8");
  for (const part of chunk(eventRows, perEvents, weigh, BODY_BYTES_PER_STATEMENT)) {
    const plain = untraced(part);
    if (plain) await runInsert(tx, dialect, t.events, EVENT_INSERT_COLUMNS.slice(0, UNTRACED_COLUMNS), plain);
    else await runInsert(tx, dialect, t.events, EVENT_INSERT_COLUMNS, part);
  }
  // Due and lease times come from the database clock (inlined app time on SQLite).
  // MySQL's clock expression is ~85 characters and a delivery row needs it three times: the rows
  // name a session variable instead, set once below. That is ~250 bytes less SQL per row, and
  // ~7 µs less Node CPU per row in bench/src/diag/store-costs.ts (33 → 26 µs, 8 runs each).
  const sessionClock = dialect.name === "mysql";
  const nowSql = sessionClock ? "@hookline_now" : dialect.nowMs();
  const now: SqlValue = { sql: nowSql };
  const deliveryRows: Cell[][] = [];
  const anyOrdered = events.some((e) => e.deliveries.some((d) => d.ordered === true));
  const deliveryColumns = anyOrdered ? DELIVERY_INSERT_COLUMNS : UNORDERED_COLUMNS;
  for (const e of events) {
    const createdAt = e.createdAt.getTime();
    for (const d of e.deliveries) {
      // A delivery to a disabled endpoint is stored cancelled: never sent, but replayable.
      const claim = d.cancelled ? undefined : d.claim;
      // A claimed row is due again when its lease ends: lease recovery reads the due index.
      const leaseEnd: SqlValue | null = claim ? { sql: `${nowSql} + ?`, binding: claim.leaseMs } : null;
      deliveryRows.push([
        d.id,
        e.id,
        e.code,
        d.endpointId,
        e.subject ?? null,
        d.cancelled ? "cancelled" : claim ? "sending" : "pending",
        claim ? 1 : 0,
        d.cancelled ? null : (leaseEnd ?? now),
        leaseEnd,
        claim?.token ?? null,
        claim?.workerId ?? null,
        createdAt,
        now,
        ...(anyOrdered ? [d.ordered === true] : []),
      ]);
    }
  }
  if (sessionClock && deliveryRows.length > 0) await run(tx, `SET @hookline_now = ${dialect.nowMs()}`, []);
  const perDeliveries = rowsPerStatement(dialect.maxParams, deliveryColumns.length, dialect.maxRowsPerInsert);
  for (const part of chunk(deliveryRows, perDeliveries)) {
    await runInsert(tx, dialect, t.deliveries, deliveryColumns, part);
  }
  // Deliveries stored cancelled (endpoint disabled) are terminal from the start: count them.
  const cancelled = events.flatMap((e) => e.deliveries.filter((d) => d.cancelled).map((d) => d.id));
  if (cancelled.length > 0) await addDeliveryCells(ctx, tx, cancelled, 1);
}
