import type { ErrorCode } from "../errors/codes.js";

/** One HTTP-shaped request for one delivery attempt; core has already built and signed it. */
export interface DeliveryRequest {
  /** Delivery id (one event × one endpoint). */
  readonly deliveryId: string;
  /** Event id, also the `webhook-id` header: stable across retries and replays. */
  readonly eventId: string;
  readonly eventCode: string;
  readonly endpointId: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** Admin replays of this delivery before this attempt (absent or 0: none); retries keep it, so (deliveryId, replay) names one send for de-duplication. */
  readonly replay?: number;
  readonly url: string;
  /** The exact body bytes that were signed (UTF-8 JSON). */
  readonly body: string;
  /** Lower-case header names: content-type, webhook-*, and the endpoint's own headers. */
  readonly headers: Readonly<Record<string, string>>;
  /** This attempt's total deadline, if the endpoint overrides the transport default. */
  readonly timeoutMs?: number;
  /**
   * The endpoint's TLS settings, if any. The same frozen object for every attempt of an endpoint,
   * so a transport may key a connection pool on it. Holds secrets: never log or store it.
   */
  readonly tls?: EndpointTls;
}

/** An endpoint's resolved TLS settings (PEM strings). */
export interface EndpointTls {
  readonly ca?: readonly string[];
  readonly cert?: string;
  readonly key?: string;
  readonly passphrase?: string;
  readonly servername?: string;
}

/** How an attempt ended; decides the next delivery state. */
export type OutcomeKind = "success" | "retryable" | "permanent";

/** The result of one attempt. A value, never a thrown error. */
export interface DeliveryOutcome {
  readonly kind: OutcomeKind;
  /** HTTP status, when a response arrived. */
  readonly status?: number;
  /** Response headers (lower-case names). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Response body, read up to the transport's cap. */
  readonly body?: string;
  /** True when the body was cut at the cap. */
  readonly bodyTruncated?: boolean;
  /** Wall time of the attempt in milliseconds. */
  readonly durationMs: number;
  /** Why it was not a success. */
  readonly error?: { readonly code: ErrorCode; readonly message: string };
  /** The receiver's Retry-After, parsed, when present and valid. */
  readonly retryAfterMs?: number;
  /** The receiver asked for the endpoint to be disabled (410 Gone). */
  readonly disableEndpoint?: boolean;
}

/** A sink that delivers requests: HTTP, a queue, or memory in tests. */
export interface Transport {
  /** Short name for logs ("http", "memory"). */
  readonly name: string;
  /**
   * URL schemes this transport serves, without the colon (`["http", "https"]`, `["amqp", "amqps"]`).
   * Each endpoint is routed to the transport serving its URL's scheme. @default ["http", "https"]
   */
  readonly schemes?: readonly string[];
  /**
   * The longest one send may take when its endpoint sets no `timeoutMs`: the transport's own
   * deadline. createHookline checks `worker.leaseMs` against it, as against each endpoint's.
   */
  readonly timeoutMs?: number;
  /**
   * Check one endpoint's URL when the instance is built, so bad input fails at construction,
   * never at send time. Throw a HooklineError (HOOKLINE_INVALID_CONFIG) naming `endpointId` and
   * the problem; never echo credentials the URL may carry.
   */
  validateEndpoint?(endpoint: { readonly endpointId: string; readonly url: string }): void;
  /** Deliver one request. Must resolve with an outcome for every failure, and honour `signal`. */
  send(req: DeliveryRequest, opts: { signal: AbortSignal }): Promise<DeliveryOutcome>;
  /** Release pools and sockets. */
  close?(): Promise<void>;
}
