import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import type { LookupFunction } from "node:net";
import { addressRange, type Cidr, inCidrs, parseAddress } from "./ip-policy.js";

/** The SSRF guard's settings after validation. */
export interface SsrfPolicy {
  readonly enabled: boolean;
  /** Allowlisted networks: an address inside one may be contacted whatever its range. */
  readonly cidrs: readonly Cidr[];
  /** Allowlisted host names (lower case, no trailing dot): never refused by name or address. */
  readonly hosts: ReadonlySet<string>;
  /** Allowlisted suffixes from "*.example" entries, stored as ".example". */
  readonly suffixes: readonly string[];
}

/** Why a URL may not be contacted; `code` is the outcome's error code. */
export type UrlVerdict =
  | { readonly ok: true; readonly url: URL }
  | {
      readonly ok: false;
      readonly code: "HOOKLINE_SSRF_BLOCKED" | "HOOKLINE_INVALID_CONFIG";
      readonly reason: string;
    };

/** The error code a refused connect-time lookup carries, so map-error can recognise it. */
export const SSRF_LOOKUP_CODE = "HOOKLINE_SSRF_BLOCKED";

/** Lower-case, bracket-free, trailing-dot-free host: "LocalHost." and "localhost" are one name. */
export function normalizeHost(host: string): string {
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  return bare.toLowerCase().replace(/\.+$/, "");
}

function hostAllowed(policy: SsrfPolicy, host: string): boolean {
  return policy.hosts.has(host) || policy.suffixes.some((s) => host.endsWith(s));
}

/** Why `address` is forbidden, or undefined when it may be contacted. */
export function addressVerdict(policy: SsrfPolicy, address: string): string | undefined {
  const addr = parseAddress(address);
  if (addr === undefined) return `"${address}" is not an IP address`;
  if (inCidrs(addr, policy.cidrs)) return undefined;
  const range = addressRange(addr);
  return range === "unicast" ? undefined : `${addr.toString()} is in a forbidden range (${range})`;
}

/**
 * Check a URL before any socket exists. The WHATWG parser has already turned every IPv4 notation
 * (decimal, hex, octal, short forms) into dotted decimal, so the parsed host is judged, never the
 * raw string. Host names pass here and are judged by address at connect time (guardedLookup).
 */
export function checkUrl(policy: SsrfPolicy, raw: string): UrlVerdict {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, code: "HOOKLINE_INVALID_CONFIG", reason: "the endpoint URL does not parse" };
  }
  const refuse = policy.enabled ? "HOOKLINE_SSRF_BLOCKED" : "HOOKLINE_INVALID_CONFIG";
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return { ok: false, code: refuse, reason: `scheme ${url.protocol} is not http: or https:` };
  }
  if (url.username !== "" || url.password !== "") {
    return { ok: false, code: refuse, reason: "URLs with credentials are refused" };
  }
  if (!policy.enabled) return { ok: true, url };
  const host = normalizeHost(url.hostname);
  if (hostAllowed(policy, host)) return { ok: true, url };
  if (parseAddress(host) !== undefined) {
    const why = addressVerdict(policy, host);
    return why === undefined ? { ok: true, url } : { ok: false, code: "HOOKLINE_SSRF_BLOCKED", reason: why };
  }
  if (host === "localhost" || host.endsWith(".localhost")) {
    return { ok: false, code: "HOOKLINE_SSRF_BLOCKED", reason: `host ${host} is a loopback name` };
  }
  return { ok: true, url };
}

/** The error a connect-time refusal raises; map-error turns it into HOOKLINE_SSRF_BLOCKED. */
export function blockedError(host: string, why: string): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error(`connection to ${host} refused: ${why}`);
  err.code = SSRF_LOOKUP_CODE;
  return err;
}

/**
 * A net `lookup` that refuses a name when ANY of its addresses is forbidden. The socket connects
 * only to addresses this function returned, so a name that re-resolves (DNS rebinding) is judged
 * on the very answer used to connect. IP literals never reach a lookup; checkUrl covers them.
 */
export function guardedLookup(policy: SsrfPolicy, base: LookupFunction = dnsLookup): LookupFunction {
  return (hostname, options, callback) => {
    const host = normalizeHost(hostname);
    if (hostAllowed(policy, host)) {
      base(hostname, options, callback);
      return;
    }
    base(hostname, { ...options, all: true }, (err, answer, family) => {
      if (err) {
        callback(err, "", undefined);
        return;
      }
      const list: LookupAddress[] =
        typeof answer === "string" ? [{ address: answer, family: family ?? 4 }] : answer;
      if (list.length === 0) {
        const none: NodeJS.ErrnoException = new Error(`${host} resolved to no address`);
        none.code = "ENOTFOUND";
        callback(none, "", undefined);
        return;
      }
      for (const entry of list) {
        const why = addressVerdict(policy, entry.address);
        if (why !== undefined) {
          callback(blockedError(host, why), "", undefined);
          return;
        }
      }
      if (options.all) callback(null, list);
      else callback(null, list[0]!.address, list[0]!.family);
    });
  };
}
