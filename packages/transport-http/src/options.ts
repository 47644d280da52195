import type { LookupFunction } from "node:net";
import { assertKnownKeys, type IntOptionRange, intOptions, invalidOption, keysOf } from "@hookline/core";
import { type Cidr, parseCidr } from "./ip-policy.js";
import type { SsrfPolicy } from "./ssrf-guard.js";
import { DEFAULT_USER_AGENT } from "./version.js";

/** SSRF guard settings. */
export interface SsrfOptions {
  /** Refuse internal, special-purpose and non-http(s) destinations. @default true */
  readonly enabled?: boolean;
  /**
   * CIDRs ("10.1.0.0/16", "::1/128"), single addresses ("127.0.0.1") and host names
   * ("receiver.internal", or "*.internal" for any sub-domain) that may be contacted even though
   * they are internal. An allowlisted name is trusted whatever it resolves to.
   * @default []
   */
  readonly allow?: readonly string[];
}

/** Options of httpTransport(). Validated once, then frozen. */
export interface HttpTransportOptions {
  /** Total deadline of one attempt (connect, headers and body), unless the request sets its own. @default 15000 */
  readonly timeoutMs?: number;
  /** Deadline for resolving and connecting (TCP and TLS). @default 5000 */
  readonly connectTimeoutMs?: number;
  /** Response body bytes kept; the rest is not read and the socket is dropped. @default 16384 */
  readonly maxResponseBytes?: number;
  /** Treat 410 Gone as permanent and ask for the endpoint to be disabled. @default true */
  readonly disableOn410?: boolean;
  /** Keep-alive connections per origin (scheme, host, port). @default 32 */
  readonly connectionsPerOrigin?: number;
  /** Requests per origin on a connection or waiting for one; more are refused (retryable). @default 256 */
  readonly maxInFlightPerOrigin?: number;
  /** How long an idle keep-alive connection is kept. @default 4000 */
  readonly keepAliveTimeoutMs?: number;
  /**
   * The `user-agent` header; the product version is core's HOOKLINE_VERSION, which
   * `hookline --version` prints too. @default "Hookline/<product version>"
   */
  readonly userAgent?: string;
  /** SSRF guard. @default { enabled: true, allow: [] } */
  readonly ssrf?: SsrfOptions;
  /** Name resolver, as `dns.lookup`; the SSRF guard judges whatever it answers. @default dns.lookup */
  readonly lookup?: LookupFunction;
}

/** Options after validation. */
export interface ResolvedOptions {
  readonly timeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly maxResponseBytes: number;
  readonly disableOn410: boolean;
  readonly connectionsPerOrigin: number;
  readonly maxInFlightPerOrigin: number;
  readonly keepAliveTimeoutMs: number;
  readonly userAgent: string;
  readonly ssrf: SsrfPolicy;
  readonly lookup: LookupFunction | undefined;
}

/** Every key of HttpTransportOptions; another one (`timeout`) is an error naming the nearest. */
export const HTTP_TRANSPORT_OPTION_KEYS = keysOf<HttpTransportOptions>({
  timeoutMs: true,
  connectTimeoutMs: true,
  maxResponseBytes: true,
  disableOn410: true,
  connectionsPerOrigin: true,
  maxInFlightPerOrigin: true,
  keepAliveTimeoutMs: true,
  userAgent: true,
  ssrf: true,
  lookup: true,
});
const SSRF_OPTION_KEYS = keysOf<SsrfOptions>({ enabled: true, allow: true });
const MAX_TIMEOUT_MS = 300_000;
const INT_OPTIONS = {
  timeoutMs: { min: 1, max: MAX_TIMEOUT_MS, default: 15_000 },
  connectTimeoutMs: { min: 1, max: MAX_TIMEOUT_MS, default: 5_000 },
  maxResponseBytes: { min: 0, max: 64 * 1024 * 1024, default: 16_384 },
  connectionsPerOrigin: { min: 1, max: 4096, default: 32 },
  maxInFlightPerOrigin: { min: 1, max: 1_000_000, default: 256 },
  keepAliveTimeoutMs: { min: 1, max: 600_000, default: 4_000 },
} as const satisfies Record<string, IntOptionRange>;
// A host name label by RFC 1123; "*." may prefix a name to allow its sub-domains.
const HOST_NAME = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

const invalid = (name: string, expected: string, got: unknown) => invalidOption(name, expected, got);

function bool(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") throw invalid(name, "a boolean", value);
  return value;
}

function resolveSsrf(value: unknown): SsrfPolicy {
  if (value === undefined) value = {};
  assertKnownKeys(value, SSRF_OPTION_KEYS, "httpTransport options.ssrf");
  const { enabled, allow = [] } = value as SsrfOptions;
  if (!Array.isArray(allow)) throw invalid("ssrf.allow", "an array of CIDRs and host names", allow);
  const cidrs: Cidr[] = [];
  const hosts = new Set<string>();
  const suffixes: string[] = [];
  allow.forEach((entry: unknown, i) => {
    const name = `ssrf.allow[${i}]`;
    if (typeof entry !== "string") throw invalid(name, "a string", entry);
    const cidr = parseCidr(entry.trim());
    if (cidr) {
      cidrs.push(cidr);
      return;
    }
    const host = entry.trim().toLowerCase().replace(/\.$/, "");
    // A name whose last label is a number is an IPv4 address to a URL parser ("0x7f.1" is
    // 127.0.0.1), so as an allowlist name it could never match; refuse it instead of ignoring it.
    if (!HOST_NAME.test(host) || /(^|\.)(0x[0-9a-f]*|\d+)$/.test(host)) {
      throw invalid(name, 'a CIDR ("10.0.0.0/8"), an IP address or a host name ("receiver.internal")', entry);
    }
    if (host.startsWith("*.")) suffixes.push(host.slice(1));
    else hosts.add(host);
  });
  return Object.freeze({
    enabled: bool("ssrf.enabled", enabled, true),
    cidrs: Object.freeze(cidrs),
    hosts,
    suffixes: Object.freeze(suffixes),
  });
}

/** Validate options once; every error names the option, what was expected and what was given. */
export function resolveOptions(opts: HttpTransportOptions | undefined): ResolvedOptions {
  const o: unknown = opts === undefined ? {} : opts;
  assertKnownKeys(o, HTTP_TRANSPORT_OPTION_KEYS, "httpTransport options");
  const userAgent = o.userAgent ?? DEFAULT_USER_AGENT;
  if (typeof userAgent !== "string" || userAgent.trim() === "" || /[\r\n\0]/.test(userAgent)) {
    throw invalid("userAgent", "a non-empty string without CR, LF or NUL", userAgent);
  }
  if (o.lookup !== undefined && typeof o.lookup !== "function") {
    throw invalid("lookup", "a function like dns.lookup", o.lookup);
  }
  return Object.freeze({
    ...intOptions(o, INT_OPTIONS),
    disableOn410: bool("disableOn410", o.disableOn410, true),
    userAgent,
    ssrf: resolveSsrf(o.ssrf),
    lookup: o.lookup as LookupFunction | undefined,
  });
}
