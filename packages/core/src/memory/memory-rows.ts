import type {
  AttemptRecord,
  DeliveryStatus,
  DeliverySummary,
  EventRecord,
  StoredTraceContext,
} from "../contracts/store.js";

/** Mutable delivery row of the in-memory store. */
export interface MemDelivery {
  id: string;
  eventId: string;
  eventCode: string;
  endpointId: string;
  subject: string | null;
  status: DeliveryStatus;
  attempts: number;
  replays: number;
  /** Held while an earlier delivery of its endpoint and subject is unfinished (NewDelivery.ordered). */
  ordered: boolean;
  nextAttemptAt: Date | null;
  leaseUntil: Date | null;
  claimToken: string | null;
  claimedBy: string | null;
  lastStatus: number | null;
  lastErrorCode: string | null;
  lastDurationMs: number | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Snapshot of a delivery row for callers (no lease internals). */
export function summarize(d: MemDelivery): DeliverySummary {
  return {
    id: d.id,
    eventId: d.eventId,
    eventCode: d.eventCode,
    endpointId: d.endpointId,
    subject: d.subject,
    status: d.status,
    attempts: d.attempts,
    replays: d.replays,
    nextAttemptAt: d.status === "pending" ? d.nextAttemptAt : null,
    lastStatus: d.lastStatus,
    lastErrorCode: d.lastErrorCode,
    lastDurationMs: d.lastDurationMs,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
  };
}

/** Rows held by one in-memory store. */
export interface MemTables {
  events: Map<string, EventRecord>;
  deliveries: Map<string, MemDelivery>;
  attempts: (AttemptRecord & { endpointId: string })[];
  idempotency: Map<string, string>;
  endpointStates: Map<
    string,
    { disabled: boolean; disabledAt: Date | null; disabledReason: string | null; updatedAt: Date | null }
  >;
}

/** Page newest first by (createdAt, id), as the SQL stores do; the cursor is "<ms>.<id>". */
export function pageById<T extends { id: string; createdAt: Date }>(
  rows: T[],
  limit: number,
  cursor?: string | null,
) {
  const key = (r: T) => [r.createdAt.getTime(), r.id] as const;
  const after = cursor ? parseCursor(cursor) : null;
  const older = (r: T) => {
    if (!after) return true;
    const [ms, id] = key(r);
    return ms < after.ms || (ms === after.ms && id < after.id);
  };
  const sorted = rows
    .filter(older)
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1));
  const items = sorted.slice(0, limit);
  const last = items[items.length - 1];
  const nextCursor = sorted.length > limit && last ? `${last.createdAt.getTime()}.${last.id}` : null;
  return { items, nextCursor };
}

function parseCursor(cursor: string): { ms: number; id: string } {
  const dot = cursor.indexOf(".");
  const ms = Number(cursor.slice(0, dot));
  // A bare id (older cursors) sorts as if created at the end of time: everything is older.
  return dot > 0 && Number.isFinite(ms)
    ? { ms, id: cursor.slice(dot + 1) }
    : { ms: Number.MAX_SAFE_INTEGER, id: cursor };
}

const fits = (v: unknown, max: number): v is string =>
  typeof v === "string" && v.length > 0 && v.length <= max;

/**
 * The trace context as the SQL stores keep it, so every store answers alike: a tracestate over
 * 512 chars is dropped, and the whole context when the traceparent is longer than a version-00
 * one (55 chars); tracing never fails an insert.
 */
export function storableTraceContext(tc: StoredTraceContext | null | undefined): StoredTraceContext | null {
  if (!tc || !fits(tc.traceparent, 55)) return null;
  return fits(tc.tracestate, 512)
    ? { traceparent: tc.traceparent, tracestate: tc.tracestate }
    : { traceparent: tc.traceparent };
}
