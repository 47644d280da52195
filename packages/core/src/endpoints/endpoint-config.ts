import type { BreakerSettings, EndpointControl } from "../contracts/delivery-control.js";
import type { EndpointTls } from "../contracts/transport.js";
import type { CircuitBreakerConfig, EndpointOrdering, EndpointRateLimitConfig } from "./endpoint-control.js";

/** One webhook receiver, as written in the constants file (hookline.config.ts) or in code. */
export interface EndpointConfig {
  /** Stable id (letters, digits, `_ . -`, max 64); deliveries refer to it. */
  readonly id: string;
  /** http(s) URL the webhook is POSTed to. `${ENV}` placeholders are substituted. */
  readonly url: string;
  /** Event codes this endpoint receives, or `'*'` for all. */
  readonly events: readonly string[] | "*";
  /**
   * Standard Webhooks secret(s), `whsec_` + base64 of 24–64 random bytes. Give several during a
   * rotation: each attempt carries one signature per secret. Required unless `signing: false`.
   */
  readonly secret?: string | readonly string[];
  /**
   * Sign requests. Sending unsigned is an explicit choice: set `false` and give no `secret`; the
   * log and the admin tools then show the endpoint as unsigned. @default true
   */
  readonly signing?: boolean;
  /**
   * Extra request headers. Reserved names (host, content-length, webhook-*, …) are rejected. Their
   * values are treated as secrets: the log stores `[redacted]` unless the name is in `showHeaders`.
   */
  readonly headers?: Readonly<Record<string, string>>;
  /** Names of `headers` whose values may be shown in the log and the admin tools. @default [] */
  readonly showHeaders?: readonly string[];
  /** TLS for an https receiver behind a private CA, or one that requires a client certificate. */
  readonly tls?: EndpointTlsConfig;
  /** @default true */
  readonly enabled?: boolean;
  /** Total deadline per attempt for this endpoint. @default the transport's (15 000 ms for HTTP) */
  readonly timeoutMs?: number;
  /** Retry delays in ms for this endpoint. @default the instance's schedule */
  readonly retrySchedule?: readonly number[];
  /** Free text shown by the admin tools. */
  readonly description?: string;
  /**
   * Send the W3C `traceparent` (and `tracestate`, when there is one) of each attempt's
   * `hookline.attempt` span, so the receiver's trace continues Hookline's. Needs an OpenTelemetry
   * SDK in the process (without one there is no span to propagate). @default false
   */
  readonly propagateTraceContext?: boolean;
  /**
   * `"subject"`: one subject's deliveries to this endpoint go out one at a time, in emit order
   * (a delivery is not attempted until every earlier one of its subject has succeeded, failed or
   * been cancelled). Deliveries without a subject are never held. @default "none"
   */
  readonly ordering?: EndpointOrdering;
  /**
   * Take part in supersede: for an event defined with `supersede: true`, a newer state of a
   * subject cancels the older ones still pending here (`HOOKLINE_SUPERSEDED`, replayable).
   * `false` delivers every state. @default true
   */
  readonly supersede?: boolean;
  /**
   * Sends per second to this endpoint, all processes together (a token bucket kept in the
   * store); deliveries over the limit wait, pending. @default no limit
   */
  readonly rateLimit?: EndpointRateLimitConfig;
  /** Deliveries of this endpoint sending at once, all processes together. @default no limit */
  readonly maxConcurrent?: number;
  /**
   * Stop sending after this many consecutive failures, probe with one delivery after a
   * cool-down, resume on success. `false` turns it off.
   * @default { failureThreshold: 10, cooldownMs: 30000, maxCooldownMs: 600000 }
   */
  readonly circuitBreaker?: false | CircuitBreakerConfig;
}

/** TLS settings of one endpoint. PEM strings; `${ENV}` placeholders are substituted; never logged. */
export interface EndpointTlsConfig {
  /** CA certificate(s) to trust instead of the system's. @default the system's trust store */
  readonly ca?: string | readonly string[];
  /** Client certificate chain for mutual TLS; needs `key`. */
  readonly cert?: string;
  /** Client private key for mutual TLS; needs `cert`. */
  readonly key?: string;
  /** Passphrase of an encrypted `key`. */
  readonly passphrase?: string;
  /** Name sent in SNI and checked against the certificate. @default the URL's host */
  readonly servername?: string;
}

/** An endpoint after validation: secrets decoded, defaults applied, frozen. */
export interface ResolvedEndpoint {
  readonly id: string;
  readonly url: string;
  readonly events: readonly string[] | "*";
  /** Decoded signing keys, newest first as configured; empty when `signed` is false. */
  readonly keys: readonly Uint8Array[];
  /** False only when the endpoint was configured with `signing: false`. */
  readonly signed: boolean;
  readonly headers: Readonly<Record<string, string>>;
  /** Lower-case names of `headers` whose values the log may show. */
  readonly showHeaders: readonly string[];
  /** Substituted TLS settings (frozen), or undefined for the transport's defaults. */
  readonly tls: EndpointTls | undefined;
  readonly enabled: boolean;
  readonly timeoutMs: number | undefined;
  readonly retrySchedule: readonly number[] | undefined;
  readonly description: string | undefined;
  /** Each attempt sends its span's `traceparent`/`tracestate`. */
  readonly propagateTraceContext: boolean;
  readonly ordering: EndpointOrdering;
  readonly supersede: boolean;
  /** The token bucket, burst defaulted; undefined when unlimited. */
  readonly rateLimit: { readonly perSecond: number; readonly burst: number } | undefined;
  readonly maxConcurrent: number | undefined;
  /** The breaker with its defaults; false when turned off. */
  readonly circuitBreaker: false | BreakerSettings;
  /** The limits and breaker this process passes to the store for the endpoint. */
  readonly control: EndpointControl;
}

/**
 * The constants file's shape. The admin tools refuse any other top-level key (a misspelt `store`
 * would otherwise be ignored).
 */
export interface HooklineConfig {
  /** The webhook receivers. */
  readonly endpoints: readonly EndpointConfig[];
  /** The log the admin tools open: a store, a function returning one, or (JSON) a module spec; opaque to core. */
  readonly store?: unknown;
}

/** Identity helper giving type checking to hookline.config.ts. */
export function defineConfig<C extends HooklineConfig>(config: C): C {
  return config;
}

/** True when `endpoint` is enabled and subscribed to `code`. */
export function subscribes(endpoint: ResolvedEndpoint, code: string): boolean {
  return endpoint.enabled && (endpoint.events === "*" || endpoint.events.includes(code));
}
