import type { AttemptRecord, DeliveryStatus, DeliverySummary, EventRecord } from "../contracts/store.js";

/** Mutable delivery row of the in-memory store. */
export interface MemDelivery {
  id: string;
  eventId: string;
  eventCode: string;
  endpointId: string;
  subject: string | null;
  status: DeliveryStatus;
  attempts: number;
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
    nextAttemptAt: d.nextAttemptAt,
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
  endpointStates: Map<string, { disabled: boolean; disabledAt: Date | null; disabledReason: string | null }>;
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? null;
}

/** Page newest first by id (ids are time-ordered), starting after `cursor`. */
export function pageById<T extends { id: string }>(rows: T[], limit: number, cursor?: string | null) {
  const sorted = rows.filter((r) => !cursor || r.id < cursor).sort((a, b) => (a.id < b.id ? 1 : -1));
  const items = sorted.slice(0, limit);
  const nextCursor = sorted.length > limit ? (items[items.length - 1]?.id ?? null) : null;
  return { items, nextCursor };
}
