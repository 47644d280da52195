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
   * rotation: each attempt carries one signature per secret. Omit to send unsigned requests.
   */
  readonly secret?: string | readonly string[];
  /** Extra request headers. Reserved names (host, content-length, webhook-*, …) are rejected. */
  readonly headers?: Readonly<Record<string, string>>;
  /** @default true */
  readonly enabled?: boolean;
  /** Total deadline per attempt for this endpoint. @default the transport's (15 000 ms for HTTP) */
  readonly timeoutMs?: number;
  /** Retry delays in ms for this endpoint. @default the instance's schedule */
  readonly retrySchedule?: readonly number[];
  /** Free text shown by the admin tools. */
  readonly description?: string;
}

/** An endpoint after validation: secrets decoded, defaults applied, frozen. */
export interface ResolvedEndpoint {
  readonly id: string;
  readonly url: string;
  readonly events: readonly string[] | "*";
  /** Decoded signing keys, newest first as configured. */
  readonly keys: readonly Uint8Array[];
  readonly headers: Readonly<Record<string, string>>;
  readonly enabled: boolean;
  readonly timeoutMs: number | undefined;
  readonly retrySchedule: readonly number[] | undefined;
  readonly description: string | undefined;
}

/** The constants file's shape: endpoints plus adapter-specific sections. */
export interface HooklineConfig {
  /** The webhook receivers. */
  readonly endpoints: readonly EndpointConfig[];
  /** Store settings read by the admin CLI (e.g. a knex config); opaque to core. */
  readonly store?: unknown;
  /** Anything else an adapter or the admin reads. */
  readonly [key: string]: unknown;
}

/** Identity helper giving type checking to hookline.config.ts. */
export function defineConfig<C extends HooklineConfig>(config: C): C {
  return config;
}

/** True when `endpoint` is enabled and subscribed to `code`. */
export function subscribes(endpoint: ResolvedEndpoint, code: string): boolean {
  return endpoint.enabled && (endpoint.events === "*" || endpoint.events.includes(code));
}
