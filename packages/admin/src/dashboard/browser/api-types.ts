/**
 * The JSON the dashboard reads from the admin API: only the fields it shows. Dates arrive as ISO
 * strings. Kept apart from the server's types because this code compiles for the browser alone.
 */

export interface Meta {
  readonly statuses: readonly string[];
  readonly replayableStatuses: readonly string[];
  readonly endpoints: readonly string[];
  readonly eventCodes: readonly string[];
}

export interface EndpointHealth {
  readonly successRate: number | null;
  readonly consecutiveFailures: number;
  readonly lastSuccessAt: string | null;
  readonly lastFailureAt: string | null;
  readonly failingSince: string | null;
  readonly pending: number;
  readonly oldestPendingAt: string | null;
}

export interface EndpointView {
  readonly id: string;
  readonly url: string | null;
  /** "http", "amqp", "nats", …: the URL scheme's sink; null when not in the config. */
  readonly destination: string | null;
  readonly configured: boolean;
  readonly signed: boolean | null;
  readonly disabled: boolean;
  readonly disabledReason: string | null;
  readonly health: EndpointHealth | null;
  /** Pending deliveries whose next attempt is due now. */
  readonly due: number;
  /** When the oldest due delivery became due; null when none is due. */
  readonly oldestDueAt: string | null;
  readonly lastErrorCode: string | null;
  readonly state: string;
  readonly circuit: Circuit;
  /** Claims skip the endpoint until then (a 429 with Retry-After); null when not paused. */
  readonly pausedUntil: string | null;
  readonly control: Control | null;
}

export interface Circuit {
  /** "closed", "open" or "half_open". */
  readonly state: string;
  readonly consecutiveFailures: number;
  readonly openUntil: string | null;
}

export interface Control {
  readonly ordering: string;
  readonly supersede: boolean;
  readonly rateLimit: { readonly perSecond: number; readonly burst: number } | null;
  readonly maxConcurrent: number | null;
  readonly circuitBreaker: {
    readonly failureThreshold: number;
    readonly cooldownMs: number;
    readonly maxCooldownMs: number;
  } | null;
}

export interface DeliveryRow {
  readonly id: string;
  readonly eventId: string;
  readonly eventCode: string;
  readonly endpointId: string;
  readonly subject: string | null;
  readonly status: string;
  readonly attempts: number;
  readonly nextAttemptAt: string | null;
  readonly lastStatus: number | null;
  readonly lastErrorCode: string | null;
  readonly lastDurationMs: number | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface DeliveryPage {
  readonly items: readonly DeliveryRow[];
  readonly nextCursor: string | null;
}

export type Headers = Readonly<Record<string, string>>;

export interface Attempt {
  readonly attempt: number;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly url: string | null;
  readonly requestHeaders: Headers | null;
  readonly responseStatus: number | null;
  readonly responseHeaders: Headers | null;
  readonly responseBody: string | null;
  readonly responseTruncated: boolean;
  readonly outcome: string;
  readonly errorCode: string | null;
  readonly errorMessage: string | null;
}

/** The W3C trace context stored with an event by a traced emit. */
export interface TraceContext {
  readonly traceparent: string;
  readonly tracestate?: string;
}

export interface DeliveryDetail extends DeliveryRow {
  /** Ordered by subject: the earlier unfinished delivery this pending one waits for. */
  readonly waitingFor?: string | null;
  readonly event: { readonly body: string; readonly traceContext?: TraceContext | null };
  readonly attemptLog: readonly Attempt[];
}

export interface ReplayAnswer {
  readonly requeued: boolean;
}

export type LatencyKey = "p50Ms" | "p95Ms";

export interface TimelineBucket {
  readonly start: string;
  readonly counts: Readonly<Partial<Record<string, number>>>;
  readonly p50Ms: number | null;
  readonly p95Ms: number | null;
}

export interface Timeline {
  readonly since: string;
  readonly until: string;
  readonly buckets: readonly TimelineBucket[];
}
