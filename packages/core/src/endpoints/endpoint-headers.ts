import { describeValue, HooklineError } from "../errors/hookline-error.js";
import type { EndpointConfig } from "./endpoint-config.js";
import { substituteEnv } from "./env-substitution.js";

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Headers the transport or the protocol owns; letting config set them would break framing or signing.
const RESERVED_HEADERS = new Set([
  "host",
  "content-length",
  "content-type",
  "content-encoding",
  "transfer-encoding",
  "connection",
  "keep-alive",
  "upgrade",
  "te",
  "trailer",
  "expect",
  "accept-encoding",
  "user-agent",
]);
const RESERVED_PREFIXES = ["webhook-", "proxy-", ":"];
// undici refuses any header value outside [\t\x20-\x7e\x80-\xff] when the request is made, so
// every attempt would fail `permanent`; refuse it at construction instead. Stricter than undici:
// no C1 controls (\x80-\x9f) either, since no receiver means one. Latin-1 text (é) is sent as is.
const HEADER_VALUE_FORBIDDEN = /[^\t\x20-\x7e\xa0-\xff]/u;
/** Headers `propagateTraceContext` sets on each attempt. */
const TRACE_HEADERS = ["traceparent", "tracestate"] as const;

// `given` is a rest parameter so "no value to show" (secrets) differs from a given undefined.
function invalid(where: string, expected: string, ...given: [unknown?]): HooklineError {
  const tail = given.length > 0 ? `, got ${describeValue(given[0])}` : "";
  return new HooklineError("HOOKLINE_INVALID_CONFIG", `${where}: expected ${expected}${tail}`);
}

/** An endpoint's `headers`, substituted, checked and lower-cased (frozen). */
export function resolveHeaders(
  headers: EndpointConfig["headers"],
  at: (f: string) => string,
  env: NodeJS.ProcessEnv,
): Readonly<Record<string, string>> {
  if (headers === undefined) return Object.freeze({});
  if (typeof headers !== "object" || headers === null || Array.isArray(headers)) {
    throw invalid(at("headers"), "an object of header name to string value", headers);
  }
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (!HEADER_NAME.test(name)) throw invalid(at(`headers["${name}"]`), "a valid HTTP header name");
    if (RESERVED_HEADERS.has(lower) || RESERVED_PREFIXES.some((p) => lower.startsWith(p))) {
      throw invalid(at(`headers["${name}"]`), "a header Hookline does not set itself (this one is reserved)");
    }
    if (typeof value !== "string") throw invalid(at(`headers["${name}"]`), "a string value", value);
    const v = substituteEnv(value, at(`headers["${name}"]`), env);
    // Never echo the value: header values are treated as secrets.
    const bad = HEADER_VALUE_FORBIDDEN.exec(v);
    if (bad) {
      // The offending character's code point only (a control or non-Latin-1 character), not the value.
      const cp = `U+${(bad[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
      throw invalid(
        at(`headers["${name}"]`),
        `a value of printable ASCII, spaces, tabs and Latin-1 characters (U+00A0–U+00FF), without control characters; got a value containing ${cp}`,
      );
    }
    if (lower in out)
      throw invalid(at(`headers["${name}"]`), "each header once (names are case-insensitive)");
    out[lower] = v;
  }
  return Object.freeze(out);
}

/** `showHeaders`: names of the endpoint's own headers, lower-cased (frozen). */
export function resolveShowHeaders(
  names: EndpointConfig["showHeaders"],
  headers: Readonly<Record<string, string>>,
  at: (f: string) => string,
): readonly string[] {
  if (names === undefined) return Object.freeze([]);
  if (!Array.isArray(names)) throw invalid(at("showHeaders"), "an array of names from headers", names);
  const out = new Set<string>();
  for (const name of names) {
    if (typeof name !== "string" || !(name.toLowerCase() in headers)) {
      throw invalid(
        at("showHeaders"),
        `names of this endpoint's headers (${Object.keys(headers).join(", ") || "none"})`,
        name,
      );
    }
    out.add(name.toLowerCase());
  }
  return Object.freeze([...out]);
}

/** With `propagateTraceContext`, the trace headers are Hookline's: the endpoint may not set them too. */
export function checkTraceHeaders(
  propagate: boolean,
  headers: Readonly<Record<string, string>>,
  at: (f: string) => string,
): void {
  if (!propagate) return;
  for (const name of TRACE_HEADERS) {
    if (name in headers) {
      throw invalid(
        at(`headers["${name}"]`),
        "no trace header of its own with propagateTraceContext: true (each attempt sends its span's)",
      );
    }
  }
}
