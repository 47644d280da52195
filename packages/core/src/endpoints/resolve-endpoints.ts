import type { EndpointTls } from "../contracts/transport.js";
import { redactUrl } from "../dispatch/redact.js";
import { describeValue, HooklineError } from "../errors/hookline-error.js";
import { decodeSecret } from "../signing/secret.js";
import { assertKnownKeys, keysOf } from "../util/strict-keys.js";
import type { EndpointConfig, EndpointTlsConfig, ResolvedEndpoint } from "./endpoint-config.js";
import { resolveControl } from "./endpoint-control.js";
import { checkTraceHeaders, resolveHeaders, resolveShowHeaders } from "./endpoint-headers.js";
import { substituteEnv, substituteUrlEnv } from "./env-substitution.js";
import { checkTlsMaterial } from "./tls-material.js";

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const MAX_TIMEOUT_MS = 300_000;
/** Every key an endpoint may have; anything else (`secrte`, `Secret`) is an error, not ignored. */
export const ENDPOINT_KEYS = keysOf<EndpointConfig>({
  id: true,
  url: true,
  events: true,
  secret: true,
  signing: true,
  headers: true,
  showHeaders: true,
  tls: true,
  enabled: true,
  timeoutMs: true,
  retrySchedule: true,
  description: true,
  propagateTraceContext: true,
  ordering: true,
  supersede: true,
  rateLimit: true,
  maxConcurrent: true,
  circuitBreaker: true,
});
/** Every key of an endpoint's `tls` object. */
export const ENDPOINT_TLS_KEYS = keysOf<EndpointTlsConfig>({
  ca: true,
  cert: true,
  key: true,
  passphrase: true,
  servername: true,
});
/** Options for resolveEndpoints. */
export interface ResolveEndpointsOptions {
  /** Event codes that exist; an endpoint subscribing to another code is an error. */
  readonly knownCodes: readonly string[];
  /** Source of `${ENV}` values. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Validate and normalise endpoint configs once, at construction. Every error names the endpoint
 * and the field, says what was expected and what was given.
 */
export function resolveEndpoints(
  configs: readonly EndpointConfig[],
  opts: ResolveEndpointsOptions,
): readonly ResolvedEndpoint[] {
  if (!Array.isArray(configs)) {
    throw new HooklineError(
      "HOOKLINE_INVALID_CONFIG",
      `endpoints: expected an array, got ${describeValue(configs)}`,
    );
  }
  const env = opts.env ?? process.env;
  const seen = new Set<string>();
  const resolved = configs.map((cfg, index) => {
    const ep = resolveOne(cfg, index, new Set(opts.knownCodes), env);
    if (seen.has(ep.id)) throw invalid(`endpoints[${index}].id`, `a unique id, but "${ep.id}" is used twice`);
    seen.add(ep.id);
    return ep;
  });
  return Object.freeze(resolved);
}

// `given` is a rest parameter so "no value to show" (secrets) differs from a given undefined.
function invalid(where: string, expected: string, ...given: [unknown?]): HooklineError {
  const tail = given.length > 0 ? `, got ${describeValue(given[0])}` : "";
  return new HooklineError("HOOKLINE_INVALID_CONFIG", `${where}: expected ${expected}${tail}`);
}

function resolveOne(
  cfg: EndpointConfig,
  index: number,
  known: ReadonlySet<string>,
  env: NodeJS.ProcessEnv,
): ResolvedEndpoint {
  checkKeysAndId(cfg, index);
  const at = (field: string) => `endpoint "${cfg.id}" ${field}`;
  if (typeof cfg.url !== "string") throw invalid(at("url"), "a string", cfg.url);
  const url = parseUrl(substituteUrlEnv(cfg.url, at("url"), env), cfg.url, at("url"));
  const events = resolveEvents(cfg.events, known, at);
  const { signed, keys } = resolveSigning(cfg, at, env);
  const headers = resolveHeaders(cfg.headers, at, env);
  const showHeaders = resolveShowHeaders(cfg.showHeaders, headers, at);
  const tls = resolveTls(cfg.tls, url, at, env);
  checkPlainFields(cfg, at);
  const propagateTraceContext = cfg.propagateTraceContext ?? false;
  checkTraceHeaders(propagateTraceContext, headers, at);
  const control = resolveControl(cfg.id, cfg, at);
  return Object.freeze({
    id: cfg.id,
    url,
    events,
    keys: Object.freeze(keys),
    signed,
    headers,
    showHeaders,
    tls,
    enabled: cfg.enabled ?? true,
    timeoutMs: cfg.timeoutMs,
    retrySchedule: cfg.retrySchedule ? Object.freeze([...cfg.retrySchedule]) : undefined,
    description: cfg.description,
    propagateTraceContext,
    ...control,
  });
}

/** Unknown keys first (named by id when it is valid), then the id itself. */
function checkKeysAndId(cfg: EndpointConfig, index: number): void {
  const named =
    typeof cfg === "object" && cfg !== null && typeof cfg.id === "string" && ID_PATTERN.test(cfg.id);
  assertKnownKeys(
    cfg,
    ENDPOINT_KEYS,
    named ? `endpoint "${cfg.id}"` : `endpoints[${index}]`,
    "HOOKLINE_INVALID_CONFIG",
  );
  if (typeof cfg.id !== "string" || !ID_PATTERN.test(cfg.id)) {
    throw invalid(`endpoints[${index}].id`, `a string matching ${ID_PATTERN}`, cfg.id);
  }
}

function resolveEvents(
  events: EndpointConfig["events"],
  known: ReadonlySet<string>,
  at: (f: string) => string,
): readonly string[] | "*" {
  if (events === "*") return "*";
  if (!Array.isArray(events) || events.length === 0) {
    throw invalid(at("events"), `"*" or a non-empty array of event codes`, events);
  }
  for (const code of events) {
    if (typeof code !== "string" || !known.has(code)) {
      throw invalid(at("events"), `known event codes (${[...known].join(", ")})`, code);
    }
  }
  return Object.freeze([...new Set(events)]);
}

/** `signing` and `secret` together: a signed endpoint needs at least one decodable secret. */
function resolveSigning(
  cfg: EndpointConfig,
  at: (f: string) => string,
  env: NodeJS.ProcessEnv,
): { signed: boolean; keys: Uint8Array[] } {
  if (cfg.signing !== undefined && typeof cfg.signing !== "boolean") {
    throw invalid(at("signing"), "a boolean", cfg.signing);
  }
  const signed = cfg.signing ?? true;
  if (!signed && cfg.secret !== undefined) {
    throw invalid(at("secret"), "no secret when signing is false (remove one of the two)");
  }
  if (signed && (cfg.secret === undefined || (Array.isArray(cfg.secret) && cfg.secret.length === 0))) {
    throw invalid(
      at("secret"),
      "a whsec_ secret (or a non-empty array during a rotation); set signing: false to send unsigned webhooks",
      ...(cfg.secret === undefined ? [] : [cfg.secret]),
    );
  }
  const secrets = cfg.secret === undefined ? [] : Array.isArray(cfg.secret) ? cfg.secret : [cfg.secret];
  const keys = secrets.map((s: unknown, i: number) => {
    const field = secrets.length > 1 ? `secret[${i}]` : "secret";
    if (typeof s !== "string") throw invalid(at(field), "a whsec_ string", s);
    const key = decodeSecret(substituteEnv(s, at(field), env));
    // Never echo a secret's value back into an error message or log.
    if (typeof key === "string") throw invalid(at(field), key.replace(/^expected /, ""));
    return key;
  });
  return { signed, keys };
}

/** The fields taken as given once their type and range are right. */
function checkPlainFields(cfg: EndpointConfig, at: (f: string) => string): void {
  if (cfg.enabled !== undefined && typeof cfg.enabled !== "boolean") {
    throw invalid(at("enabled"), "a boolean", cfg.enabled);
  }
  if (cfg.propagateTraceContext !== undefined && typeof cfg.propagateTraceContext !== "boolean") {
    throw invalid(at("propagateTraceContext"), "a boolean", cfg.propagateTraceContext);
  }
  if (
    cfg.timeoutMs !== undefined &&
    (!Number.isInteger(cfg.timeoutMs) || cfg.timeoutMs <= 0 || cfg.timeoutMs > MAX_TIMEOUT_MS)
  ) {
    throw invalid(at("timeoutMs"), `an integer from 1 to ${MAX_TIMEOUT_MS}`, cfg.timeoutMs);
  }
  if (
    cfg.retrySchedule !== undefined &&
    (!Array.isArray(cfg.retrySchedule) ||
      cfg.retrySchedule.some((n) => typeof n !== "number" || !Number.isFinite(n) || n < 0))
  ) {
    throw invalid(at("retrySchedule"), "an array of non-negative millisecond delays", cfg.retrySchedule);
  }
  if (cfg.description !== undefined && typeof cfg.description !== "string") {
    throw invalid(at("description"), "a string", cfg.description);
  }
}

// Only what holds for every sink: the scheme's own rules (http(s) only, credentials or not)
// are the routed transport's validateEndpoint, called by createHookline.
// The message quotes the URL as configured: a substituted value (a password holding "/", "?" or
// "#") can break the URL apart so that redactUrl no longer sees it as credentials.
function parseUrl(raw: string, configured: string, where: string): string {
  try {
    return new URL(raw).href;
  } catch (cause) {
    throw new HooklineError(
      "HOOKLINE_INVALID_CONFIG",
      `${where}: expected an absolute URL, got "${redactUrl(configured)}"`,
      {
        cause,
      },
    );
  }
}

function resolveTls(
  tls: EndpointConfig["tls"],
  url: string,
  at: (f: string) => string,
  env: NodeJS.ProcessEnv,
): EndpointTls | undefined {
  if (tls === undefined) return undefined;
  assertKnownKeys(tls, ENDPOINT_TLS_KEYS, at("tls"), "HOOKLINE_INVALID_CONFIG");
  const text = (field: keyof EndpointTlsConfig, value: unknown): string => {
    // Never echo the value: keys and passphrases are secrets.
    if (typeof value !== "string" || value.length === 0)
      throw invalid(at(`tls.${field}`), "a non-empty string");
    return substituteEnv(value, at(`tls.${field}`), env);
  };
  const out: { -readonly [K in keyof EndpointTls]: EndpointTls[K] } = {};
  if (tls.ca !== undefined) {
    const list = Array.isArray(tls.ca) ? tls.ca : [tls.ca];
    if (list.length === 0) throw invalid(at("tls.ca"), "a PEM string or a non-empty array of them");
    out.ca = Object.freeze(list.map((c: unknown) => text("ca", c)));
  }
  if (tls.cert !== undefined) out.cert = text("cert", tls.cert);
  if (tls.key !== undefined) out.key = text("key", tls.key);
  if (tls.passphrase !== undefined) out.passphrase = text("passphrase", tls.passphrase);
  if (tls.servername !== undefined) out.servername = text("servername", tls.servername);
  if ((out.cert === undefined) !== (out.key === undefined)) {
    throw invalid(at("tls"), "cert and key together (mutual TLS needs both)");
  }
  checkTlsMaterial(out, url, at);
  return Object.freeze(out);
}
