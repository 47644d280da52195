import type {
  AttemptRecord,
  DeliveryStatus,
  DeliverySummary,
  EventRecord,
  OutcomeKind,
} from "@hookline/core";
import { bool, date, dateOrNull, num, numOrNull } from "../util/convert.js";
import { parseHeaders } from "../util/text.js";
import { traceContextOf } from "../util/trace-context.js";

/** Columns read for a DeliverySummary (write/insert-events.ts writes DELIVERY_INSERT_COLUMNS). */
export const DELIVERY_COLUMNS = [
  "id",
  "event_id",
  "event_code",
  "endpoint_id",
  "subject",
  "status",
  "attempts",
  "replays",
  "next_attempt_at",
  "last_status",
  "last_error_code",
  "last_duration_ms",
  "created_at",
  "updated_at",
] as const;

/** Columns read for an EventRecord. */
export const EVENT_COLUMNS = [
  "id",
  "code",
  "subject",
  "body",
  "idempotency_key",
  "created_at",
  "trace_parent",
  "trace_state",
] as const;

type Row = Record<string, unknown>;
const str = (v: unknown) => v as string;
const strOrNull = (v: unknown) => (v == null ? null : String(v));

export function toDeliverySummary(r: Row): DeliverySummary {
  return {
    id: str(r.id),
    eventId: str(r.event_id),
    eventCode: str(r.event_code),
    endpointId: str(r.endpoint_id),
    subject: strOrNull(r.subject),
    status: str(r.status) as DeliveryStatus,
    attempts: num(r.attempts),
    replays: num(r.replays),
    // A sending row's next_attempt_at holds its lease end (the re-claim time): not a due time.
    nextAttemptAt: r.status === "pending" ? dateOrNull(r.next_attempt_at) : null,
    lastStatus: numOrNull(r.last_status),
    lastErrorCode: strOrNull(r.last_error_code),
    lastDurationMs: numOrNull(r.last_duration_ms),
    createdAt: date(r.created_at),
    updatedAt: date(r.updated_at),
  };
}

export function toEventRecord(r: Row): EventRecord {
  return {
    id: str(r.id),
    code: str(r.code),
    subject: strOrNull(r.subject),
    body: str(r.body),
    idempotencyKey: strOrNull(r.idempotency_key),
    createdAt: date(r.created_at),
    traceContext: traceContextOf(r.trace_parent, r.trace_state),
  };
}

export function toAttemptRecord(r: Row): AttemptRecord {
  return {
    id: str(r.id),
    deliveryId: str(r.delivery_id),
    attempt: num(r.attempt),
    startedAt: date(r.started_at),
    durationMs: num(r.duration_ms),
    url: strOrNull(r.url),
    requestHeaders: parseHeaders(r.request_headers),
    responseStatus: numOrNull(r.response_status),
    responseHeaders: parseHeaders(r.response_headers),
    responseBody: strOrNull(r.response_body),
    responseTruncated: bool(r.response_truncated),
    outcome: str(r.outcome) as OutcomeKind,
    errorCode: strOrNull(r.error_code),
    errorMessage: strOrNull(r.error_message),
  };
}
