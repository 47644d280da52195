import type { CircuitState, CircuitTransition, EndpointControl } from "./delivery-control.js";
import type { DeliveryOutcome, OutcomeKind } from "./transport.js";

/**
 * Delivery lifecycle states: `pending` until claimed, `sending` while claimed (back to `pending`
 * for a retry), then `succeeded`, `failed` or `cancelled`.
 */
export const DELIVERY_STATUSES = ["pending", "sending", "succeeded", "failed", "cancelled"] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
/** States a delivery never leaves on its own; replay moves them back to pending. */
export const TERMINAL_STATUSES: readonly DeliveryStatus[] = ["succeeded", "failed", "cancelled"];

/** A delivery to insert with its event. */
export interface NewDelivery {
  readonly id: string;
  readonly endpointId: string;
  /**
   * Present when the emitting process sends the first attempt itself: the row is inserted already
   * claimed (`sending`, attempts = 1) so no worker sends it while that attempt is in flight.
   */
  readonly claim?: { readonly token: string; readonly leaseMs: number; readonly workerId: string };
  /** The endpoint is disabled: insert the delivery `cancelled` (never sent, replayable later). */
  readonly cancelled?: boolean;
  /**
   * The endpoint orders by subject: this delivery is not claimed while an earlier one (by
   * created time, then id) of the same endpoint and subject is pending or sending. A claimed
   * insert with such an earlier sibling goes in pending instead (InsertReport.unclaimed), unless
   * every such sibling is sending under the same claimer (InsertReport.queued).
   */
  readonly ordered?: boolean;
  /**
   * Cancel, with HOOKLINE_SUPERSEDED, the pending (not sending) deliveries of the same endpoint,
   * subject and event code created before this one.
   */
  readonly supersede?: boolean;
}

/**
 * The W3C trace context of the `hookline.emit` span that stored an event, kept on the event row so
 * an attempt made later, in any process, can join or link to the emit's trace.
 */
export interface StoredTraceContext {
  /** W3C `traceparent`, version 00: `00-<32 hex trace id>-<16 hex span id>-<2 hex flags>` (55 chars). */
  readonly traceparent: string;
  /** W3C `tracestate` (at most 512 chars), when the span carried one. */
  readonly tracestate?: string;
}

/** An accepted event and one delivery per subscribed endpoint. */
export interface NewEvent {
  readonly id: string;
  readonly code: string;
  readonly subject: string | null;
  /** The exact bytes that are signed and sent; stored verbatim, never re-serialised. */
  readonly body: string;
  readonly idempotencyKey: string | null;
  readonly createdAt: Date;
  readonly deliveries: readonly NewDelivery[];
  /** The emit's trace context; absent or null when no OpenTelemetry SDK recorded the emit. */
  readonly traceContext?: StoredTraceContext | null;
}

/** One claim of one delivery: the delivery and the token its claimer holds. */
export interface ClaimRef {
  readonly deliveryId: string;
  readonly claimToken: string;
}

/** Result of insertEvents. */
export interface InsertReport {
  /** New event id → the stored original, for events whose idempotency key already existed. */
  readonly duplicates: ReadonlyMap<
    string,
    { readonly eventId: string; readonly deliveryIds: readonly string[] }
  >;
  /**
   * Deliveries given with `claim` that the store inserted pending and unclaimed instead (an
   * earlier delivery of the subject is unfinished, or the endpoint's circuit is not closed): the
   * caller must not send them; a worker claims them in turn.
   */
  readonly unclaimed?: ReadonlySet<string>;
  /**
   * Claimed ordered deliveries whose only earlier unfinished deliveries of the subject are being
   * sent by the same claimer (`claim.workerId`): left claimed, each mapped to those claims (id and
   * claim token). The claimer sends one only after it has recorded every one of those claims as
   * ended (succeeded, failed or cancelled), and otherwise gives it back with release(). Meanwhile
   * no other claimer takes it (it is sending) nor a later one of its subject (one is ahead of it).
   */
  readonly queued?: ReadonlyMap<string, readonly ClaimRef[]>;
  /**
   * Older pending deliveries this insert cancelled as superseded: endpoint id → how many. Absent
   * (or empty) when it cancelled none.
   */
  readonly superseded?: ReadonlyMap<string, number>;
}

/** A delivery claimed for sending. */
export interface ClaimedDelivery {
  readonly id: string;
  readonly eventId: string;
  readonly eventCode: string;
  readonly endpointId: string;
  readonly subject: string | null;
  readonly body: string;
  /** Attempts including the one this claim is for. */
  readonly attempts: number;
  /** Admin replays (requeues) of this delivery so far; retries leave it unchanged. */
  readonly replays: number;
  readonly claimToken: string;
  readonly eventCreatedAt: Date;
  /** The event's stored trace context (NewEvent.traceContext); null or absent when none was stored. */
  readonly traceContext?: StoredTraceContext | null;
}

/** What happens to a delivery after an attempt. */
export type NextState =
  | { readonly status: "succeeded" }
  | { readonly status: "pending"; readonly delayMs: number }
  | { readonly status: "failed" }
  | { readonly status: "cancelled" };

/** One finished attempt to record; applied only while `claimToken` still holds the delivery. */
export interface AttemptResult {
  readonly deliveryId: string;
  /** Denormalised onto the attempt row so endpoint health needs no join. */
  readonly endpointId: string;
  /** The delivery's event code, denormalised onto the attempt row like endpointId. */
  readonly eventCode: string;
  readonly claimToken: string;
  readonly attemptId: string;
  readonly attempt: number;
  readonly startedAt: Date;
  /** What was sent (headers already redacted), or null when nothing was sent. */
  readonly request: { readonly url: string; readonly headers: Readonly<Record<string, string>> } | null;
  readonly outcome: DeliveryOutcome;
  readonly next: NextState;
  /**
   * When the delivery was created, exactly as stored (a delivery is created with its event's
   * createdAt). Optional: a store that keeps per-hour stats may use it to count the completion
   * without reading the row back, and reads the row when it is absent.
   */
  readonly deliveryCreatedAt?: Date;
}

/** Which completions were applied and which were fenced out (lease lost). */
export interface CompletionReport {
  readonly applied: readonly string[];
  readonly stale: readonly string[];
  /** Circuits this call opened or closed (see EndpointControl.breaker). */
  readonly circuits?: readonly CircuitTransition[];
}

/** Filters shared by the admin queries; every field narrows (AND). */
export interface DeliveryFilter {
  readonly status?: readonly DeliveryStatus[];
  readonly eventCode?: readonly string[];
  readonly endpointId?: readonly string[];
  readonly subject?: string;
  readonly eventId?: string;
  /** created_at >= since */
  readonly since?: Date;
  /** created_at < until */
  readonly until?: Date;
}

/** Event list filter. */
export interface EventFilter {
  readonly eventCode?: readonly string[];
  readonly subject?: string;
  readonly since?: Date;
  readonly until?: Date;
}

/** Cursor pagination, newest first by created time, id breaking ties. The cursor is opaque. */
export interface PageRequest {
  readonly limit: number;
  readonly cursor?: string | null;
}
export interface Page<T> {
  readonly items: readonly T[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  readonly nextCursor: string | null;
}

/** A delivery row for lists. */
export interface DeliverySummary {
  readonly id: string;
  readonly eventId: string;
  readonly eventCode: string;
  readonly endpointId: string;
  readonly subject: string | null;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  /** Admin replays (requeues) of this delivery so far. */
  readonly replays: number;
  /** When a pending delivery is next due; null in every other status. */
  readonly nextAttemptAt: Date | null;
  readonly lastStatus: number | null;
  readonly lastErrorCode: string | null;
  readonly lastDurationMs: number | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** A stored event. */
export interface EventRecord {
  readonly id: string;
  readonly code: string;
  readonly subject: string | null;
  readonly body: string;
  readonly idempotencyKey: string | null;
  readonly createdAt: Date;
  /** The emit's stored trace context (NewEvent.traceContext); null or absent when none was stored. */
  readonly traceContext?: StoredTraceContext | null;
}

/** One recorded attempt: what was sent and what came back. */
export interface AttemptRecord {
  readonly id: string;
  readonly deliveryId: string;
  readonly attempt: number;
  readonly startedAt: Date;
  readonly durationMs: number;
  readonly url: string | null;
  readonly requestHeaders: Readonly<Record<string, string>> | null;
  readonly responseStatus: number | null;
  readonly responseHeaders: Readonly<Record<string, string>> | null;
  readonly responseBody: string | null;
  readonly responseTruncated: boolean;
  readonly outcome: OutcomeKind;
  readonly errorCode: string | null;
  readonly errorMessage: string | null;
}

/** A delivery with its event and every attempt, oldest first. */
export interface DeliveryDetail extends DeliverySummary {
  /**
   * A pending delivery to an endpoint that orders by subject, held back by an earlier unfinished
   * one: that delivery's id. Null (or absent) when nothing holds it.
   */
  readonly waitingFor?: string | null;
  readonly event: EventRecord;
  readonly attemptLog: readonly AttemptRecord[];
}

/** An event with its deliveries. */
export interface EventDetail extends EventRecord {
  readonly deliveries: readonly DeliverySummary[];
}

/** Counts and latency for one (event code, endpoint) pair over a range. */
export interface StatsRow {
  readonly eventCode: string;
  readonly endpointId: string;
  readonly counts: Readonly<Record<DeliveryStatus, number>>;
  readonly total: number;
  /** succeeded / (succeeded + failed), null when neither. */
  readonly successRate: number | null;
  /** Nearest-rank percentiles of attempt durations started in the range, ms, each duration taken
   * to two significant digits, rounded down (see latencyBucket). */
  readonly p50Ms: number | null;
  readonly p95Ms: number | null;
}

/** A time range: since inclusive, until exclusive. */
export interface TimeRange {
  readonly since: Date;
  readonly until: Date;
}

/** Persisted per-endpoint switch (disabled by 410, by the admin, or by long failure). */
export interface EndpointState {
  readonly endpointId: string;
  readonly disabled: boolean;
  readonly disabledAt: Date | null;
  readonly disabledReason: string | null;
  /** When the switch last changed (disabled or re-enabled). */
  readonly updatedAt: Date | null;
  /** The endpoint's circuit; absent from a store without breakers (read as closed). */
  readonly circuit?: CircuitState;
  /** Consecutive failed attempts, all processes, as the breaker counts them. */
  readonly consecutiveFailures?: number;
  /** When an open circuit's cool-down ends; null when closed. */
  readonly openUntil?: Date | null;
  /** Claims skip the endpoint until then (it answered 429 with Retry-After); null when not paused. */
  readonly pausedUntil?: Date | null;
}

/** Health of one endpoint, from its attempts, and its backlog of pending deliveries. */
export interface EndpointHealth {
  readonly endpointId: string;
  /** Successful attempts / all attempts in the range; null when none. */
  readonly successRate: number | null;
  readonly attemptsInRange: number;
  /** Failed attempts since the last successful one (all time). */
  readonly consecutiveFailures: number;
  readonly lastSuccessAt: Date | null;
  readonly lastFailureAt: Date | null;
  /** Start of the current run of failures; null when the last attempt succeeded. */
  readonly failingSince: Date | null;
  /** Deliveries waiting in `pending` now (due or scheduled for a retry). */
  readonly pending: number;
  /** When the oldest pending delivery was created; null when none is pending. */
  readonly oldestPendingAt: Date | null;
}

/** Due work of one endpoint: pending deliveries whose next attempt is due now. */
export interface EndpointBacklog {
  readonly endpointId: string;
  /** Pending deliveries with a next attempt at or before now. */
  readonly due: number;
  /** The earliest next-attempt time among them: how long the oldest due delivery has waited. */
  readonly oldestDueAt: Date | null;
}

/** Deliveries created in one time bucket, by status, with attempt latency. */
export interface TimelineBucket {
  readonly start: Date;
  readonly counts: Readonly<Record<DeliveryStatus, number>>;
  /** As in StatsRow: attempt durations to two significant digits, rounded down. */
  readonly p50Ms: number | null;
  readonly p95Ms: number | null;
}

/** A stored attempt's request, as redactAttempts hands it to its rewrite. */
export interface StoredAttemptRequest {
  readonly attemptId: string;
  readonly endpointId: string;
  readonly url: string | null;
  readonly requestHeaders: Readonly<Record<string, string>> | null;
}

/** The request to store instead; a row whose rewrite equals what is stored is left alone. */
export type AttemptRequestRewrite = (req: StoredAttemptRequest) => {
  readonly url: string | null;
  readonly requestHeaders: Readonly<Record<string, string>> | null;
};

/** Options of redactAttempts. */
export interface RedactAttemptsOptions {
  /** Attempts read and rewritten per transaction. @default 500 */
  readonly batchSize?: number;
  /** Count the rows that would change; write nothing. @default false */
  readonly dryRun?: boolean;
  /** Called after each batch with the running totals. */
  readonly onProgress?: (progress: RedactReport) => void;
}

/** Result of redactAttempts: attempts read, and attempts changed (or that would change). */
export interface RedactReport {
  readonly scanned: number;
  readonly changed: number;
}

// A type, not an interface, so it fits HooklineError's `details` record.
/**
 * `details` of a HOOKLINE_STORE_ERROR. A store sets `retryable: false` when it has already spent
 * its own retry budget on the failure (see DeliveryStore), so core passes the error on at once.
 */
export type StoreErrorDetails = {
  /** False: the store retried this failure itself; nobody should retry it again. */
  readonly retryable?: boolean;
  /** How many times the store tried before giving up. */
  readonly tries?: number;
};

/** How a caller's transaction ended, as DeliveryStore.transactionOutcome reports it. */
export type TransactionOutcome = "committed" | "rolled-back";

/** One subject of one endpoint: the unit deliveries are ordered in. */
export interface SubjectKey {
  readonly endpointId: string;
  readonly subject: string;
}

/**
 * The delivery log: durable state of every event, delivery and attempt.
 *
 * **Failures.** A method throws HOOKLINE_INVALID_OPTION (or another non-store code) for a bad
 * argument, which is never retried, and HOOKLINE_STORE_ERROR, with the driver's error as `cause`,
 * when the database failed. Each failure is retried by one layer only, so tries never multiply:
 *
 * - **The store** retries what only it can recognise: a conflict whose loser was rolled back
 *   whole (deadlock, serialization failure, lock timeout, a busy SQLite file). It retries inside
 *   the one call, each transaction a bounded number of times (store-knex: 6 tries on a server,
 *   up to `busyTimeoutMs` on SQLite), and when it gives up it throws HOOKLINE_STORE_ERROR with
 *   `details: { retryable: false, tries }` (StoreErrorDetails).
 * - **Core** retries any other HOOKLINE_STORE_ERROR (a lost connection, a closed or exhausted
 *   pool, a restarting server) with exponential back-off (50 ms doubling, each delay randomised
 *   ×1–2, at most 2 s), on its two hot-path writes only: `insertEvents` without `trx`, 4 tries
 *   (≤ 0.7 s of back-off), and `complete`, 6 tries (≤ 3.1 s). Worst case per call: those tries
 *   times the store's own time for one failing try, plus the back-off. `claimDue` is not retried
 *   per call: the worker waits (`worker.backoffMinMs`, doubling to `backoffMaxMs`) and claims
 *   again. Core retries no other method, and never `insertEvents` with `trx` (the caller's
 *   transaction, which a store must not retry inside either).
 *
 * So a store must not retry lost connections itself, must bound its own retries, and must mark
 * what it gave up on; a store that never retries needs to do nothing.
 */
export interface DeliveryStore {
  /** Create or upgrade the schema; idempotent. */
  migrate(): Promise<void>;
  /**
   * Insert events with their deliveries, one transaction per batch; `trx` joins the caller's
   * transaction (the outbox): the rows commit or roll back with it. A store that accepts `trx`
   * should implement transactionOutcome, so the worker is woken as soon as the caller commits.
   */
  insertEvents(batch: readonly NewEvent[], opts?: { readonly trx?: unknown }): Promise<InsertReport>;
  /**
   * How the caller's transaction `trx`, which insertEvents just accepted, ends: resolves once it
   * has ended, never rejects. Undefined when the store cannot tell (not its kind of transaction).
   * Optional: without it a committed event still goes out, when the worker next polls
   * (`worker.pollIntervalMs`), instead of at once.
   */
  transactionOutcome?(trx: unknown): Promise<TransactionOutcome> | undefined;
  /** Claim up to `limit` due deliveries (pending and due, or sending with an expired lease). */
  claimDue(opts: {
    readonly limit: number;
    readonly leaseMs: number;
    readonly workerId: string;
    /**
     * Only deliveries to these endpoints are claimed; an empty list claims nothing. Required, not
     * "all when absent": a process that claims a delivery of an endpoint it does not know (an older
     * version mid-deploy, another service on the same log) can only give it back, so every
     * claimer must say what it knows.
     */
    readonly endpointIds: readonly string[];
    /**
     * Rate limits, concurrency caps and breakers of the claimer's endpoints, enforced across
     * every process: an open circuit's or paused endpoint's deliveries are not claimed, a limited
     * endpoint gets what its token bucket and cap allow. Absent: no limits.
     */
    readonly controls?: readonly EndpointControl[];
    /**
     * Claim only the next delivery of each of these subjects of ordered endpoints (the first
     * pending one, if it is due and nothing earlier of its subject is sending), and no expired
     * lease: the successor of a delivery that just ended, sent without waiting for a scan of the
     * whole due range. Absent: every due delivery may be claimed.
     */
    readonly subjects?: readonly SubjectKey[];
  }): Promise<ClaimedDelivery[]>;
  /**
   * Record attempts and move deliveries on, fenced by claim token; with `controls`, count each
   * endpoint's consecutive failures and open or close its circuit (CompletionReport.circuits).
   * An applied result with outcome `success` counts as a success; `retryable` or `permanent` as a
   * failure, except when its `outcome.error.code` is HOOKLINE_ABORTED (stop() aborted it, or the
   * transport was closed: nothing was learnt about the receiver) or HOOKLINE_ENDPOINT_DISABLED
   * (cancelled unsent): those leave the count and the circuit as they are, and such a result of
   * the probe frees the probe slot so the next claim sends a new probe.
   */
  complete(
    results: readonly AttemptResult[],
    opts?: { readonly controls?: readonly EndpointControl[] },
  ): Promise<CompletionReport>;
  /** Give back claims that were never attempted (graceful stop); returns how many were released. */
  release(claims: readonly { readonly deliveryId: string; readonly claimToken: string }[]): Promise<number>;
  /** Deliveries matching `filter`, newest first (by createdAt, then id). */
  listDeliveries(filter: DeliveryFilter, page: PageRequest): Promise<Page<DeliverySummary>>;
  /** One delivery with its event and attempts, or null. */
  getDelivery(id: string): Promise<DeliveryDetail | null>;
  /** Events matching `filter`, newest first by createdAt then id (bodies included). */
  listEvents(filter: EventFilter, page: PageRequest): Promise<Page<EventRecord>>;
  /** One event with its deliveries, or null. */
  getEvent(id: string): Promise<EventDetail | null>;
  /** Per (event code, endpoint) counts, success rate and latency percentiles for deliveries created in range. */
  stats(range: TimeRange): Promise<StatsRow[]>;
  /** Deliveries created in range, bucketed by `bucketMs` (for charts); empty buckets included. */
  timeline(range: TimeRange, bucketMs: number): Promise<TimelineBucket[]>;
  /**
   * Health of every endpoint that has attempts or pending deliveries, configured here or not;
   * `range` bounds successRate and attemptsInRange only.
   */
  endpointHealth(range: TimeRange): Promise<EndpointHealth[]>;
  /**
   * Due pending deliveries per endpoint (next attempt at or before the store's now), with the
   * earliest due time; endpoints with nothing due are left out. Read by metrics at most every few
   * seconds, so it must stay cheap with a large backlog.
   */
  backlog(): Promise<EndpointBacklog[]>;
  /** Move terminal deliveries back to pending, due now, counting one more replay each; returns how many moved. */
  requeue(target: { readonly ids: readonly string[] } | { readonly filter: DeliveryFilter }): Promise<number>;
  /**
   * Delete terminal deliveries (and their attempts) last updated before `olderThan`, and events
   * created before it that have no deliveries left.
   */
  purge(olderThan: Date, opts?: { readonly batchSize?: number }): Promise<number>;
  /** Rewrite every stored attempt's URL and request headers through `rewrite`, in batches; see RedactAttemptsOptions. */
  redactAttempts(rewrite: AttemptRequestRewrite, opts?: RedactAttemptsOptions): Promise<RedactReport>;
  /** Persisted endpoint switches. */
  getEndpointStates(): Promise<EndpointState[]>;
  /** Disable (cancelling its pending deliveries) or re-enable an endpoint. */
  setEndpointDisabled(
    endpointId: string,
    disabled: boolean,
    reason?: string,
  ): Promise<{ readonly cancelled: number }>;
  /** Release connections. */
  close(): Promise<void>;
}
