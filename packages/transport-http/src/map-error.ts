import type { ErrorCode, OutcomeKind } from "@hookline/core";
import { SSRF_LOOKUP_CODE } from "./ssrf-guard.js";
import { TLS_CLOSED_CODE } from "./tls-confirm.js";

/** A delivery failure described in core's terms. */
export interface MappedError {
  readonly kind: Exclude<OutcomeKind, "success">;
  readonly code: ErrorCode;
  readonly message: string;
}

const BY_CODE: Readonly<Record<string, ErrorCode>> = {
  UND_ERR_CONNECT_TIMEOUT: "HOOKLINE_CONNECT_TIMEOUT",
  ETIMEDOUT: "HOOKLINE_CONNECT_TIMEOUT",
  ECONNREFUSED: "HOOKLINE_CONNECTION_REFUSED",
  ECONNRESET: "HOOKLINE_CONNECTION_RESET",
  ECONNABORTED: "HOOKLINE_CONNECTION_RESET",
  EPIPE: "HOOKLINE_CONNECTION_RESET",
  UND_ERR_SOCKET: "HOOKLINE_CONNECTION_RESET",
  UND_ERR_CLOSED: "HOOKLINE_CONNECTION_RESET",
  ENOTFOUND: "HOOKLINE_DNS_FAILURE",
  EAI_AGAIN: "HOOKLINE_DNS_FAILURE",
  EAI_FAIL: "HOOKLINE_DNS_FAILURE",
  EAI_NODATA: "HOOKLINE_DNS_FAILURE",
  ENODATA: "HOOKLINE_DNS_FAILURE",
  ESERVFAIL: "HOOKLINE_DNS_FAILURE",
  UND_ERR_HEADERS_TIMEOUT: "HOOKLINE_TIMEOUT",
  UND_ERR_BODY_TIMEOUT: "HOOKLINE_TIMEOUT",
  UND_ERR_HEADERS_OVERFLOW: "HOOKLINE_INVALID_RESPONSE",
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: "HOOKLINE_INVALID_RESPONSE",
  UND_ERR_RES_EXCEEDED_MAX_SIZE: "HOOKLINE_INVALID_RESPONSE",
  EPROTO: "HOOKLINE_TLS_FAILURE",
  [TLS_CLOSED_CODE]: "HOOKLINE_TLS_FAILURE",
};

// Request-side mistakes (a header undici refuses, a bad URL): retrying the same request cannot help.
const PERMANENT_CODES = new Set(["UND_ERR_INVALID_ARG", "UND_ERR_NOT_SUPPORTED", "ERR_INVALID_URL"]);

// OpenSSL and Node name TLS failures by family rather than one code each.
const TLS_PREFIXES = ["ERR_TLS_", "ERR_SSL_", "CERT_", "UNABLE_TO_", "ERR_OSSL_"];
const TLS_CODES = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "HOSTNAME_MISMATCH",
  "INVALID_CA",
  "INVALID_PURPOSE",
  "PATH_LENGTH_EXCEEDED",
]);

// undici reports some failures through a wrapper; Node reports a multi-address connect failure as an
// AggregateError. The first code found along those links is the meaningful one. undici's
// HTTPParserError has no code when llhttp gives none (e.g. a reply not starting with "HTTP/").
function findCode(err: unknown, depth = 0): string | undefined {
  if (typeof err !== "object" || err === null || depth > 4) return undefined;
  const e = err as { code?: unknown; cause?: unknown; errors?: unknown; name?: unknown };
  if (typeof e.code === "string") return e.code;
  if (e.name === "HTTPParserError") return "HPE_INVALID";
  if (Array.isArray(e.errors)) {
    for (const inner of e.errors) {
      const code = findCode(inner, depth + 1);
      if (code !== undefined) return code;
    }
  }
  return findCode(e.cause, depth + 1);
}

function messageOf(err: unknown): string {
  if (err instanceof Error && err.message !== "") return err.message;
  return String(err);
}

/** Map an undici, Node or SSRF-guard error to a failed outcome's kind, code and message. */
export function mapError(err: unknown): MappedError {
  const code = findCode(err);
  const message = code === undefined ? messageOf(err) : `${code}: ${messageOf(err)}`;
  if (code === SSRF_LOOKUP_CODE)
    return { kind: "permanent", code: "HOOKLINE_SSRF_BLOCKED", message: messageOf(err) };
  if (code === undefined) return { kind: "retryable", code: "HOOKLINE_NETWORK_ERROR", message };
  if (PERMANENT_CODES.has(code)) return { kind: "permanent", code: "HOOKLINE_INVALID_CONFIG", message };
  const mapped = BY_CODE[code];
  if (mapped !== undefined) return { kind: "retryable", code: mapped, message };
  if (code.startsWith("HPE_")) return { kind: "retryable", code: "HOOKLINE_INVALID_RESPONSE", message };
  if (TLS_CODES.has(code) || TLS_PREFIXES.some((p) => code.startsWith(p))) {
    return { kind: "retryable", code: "HOOKLINE_TLS_FAILURE", message };
  }
  return { kind: "retryable", code: "HOOKLINE_NETWORK_ERROR", message };
}
