import { type ErrorCode, socketErrorCode, type TransportFailure } from "@hookline/core";
import { SSRF_LOOKUP_CODE } from "./ssrf-guard.js";
import { TLS_CLOSED_CODE } from "./tls-confirm.js";

// undici's own codes; Node's socket, DNS and TLS codes are core's socketErrorCode().
const UNDICI_CODES: Readonly<Record<string, ErrorCode>> = {
  UND_ERR_CONNECT_TIMEOUT: "HOOKLINE_CONNECT_TIMEOUT",
  UND_ERR_SOCKET: "HOOKLINE_CONNECTION_RESET",
  UND_ERR_CLOSED: "HOOKLINE_CONNECTION_RESET",
  UND_ERR_HEADERS_TIMEOUT: "HOOKLINE_TIMEOUT",
  UND_ERR_BODY_TIMEOUT: "HOOKLINE_TIMEOUT",
  UND_ERR_HEADERS_OVERFLOW: "HOOKLINE_INVALID_RESPONSE",
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: "HOOKLINE_INVALID_RESPONSE",
  UND_ERR_RES_EXCEEDED_MAX_SIZE: "HOOKLINE_INVALID_RESPONSE",
  [TLS_CLOSED_CODE]: "HOOKLINE_TLS_FAILURE",
};

// Request-side mistakes (a header undici refuses, a bad URL): retrying the same request cannot help.
const PERMANENT_CODES = new Set(["UND_ERR_INVALID_ARG", "UND_ERR_NOT_SUPPORTED", "ERR_INVALID_URL"]);

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
export function mapError(err: unknown): TransportFailure {
  const code = findCode(err);
  const message = code === undefined ? messageOf(err) : `${code}: ${messageOf(err)}`;
  if (code === SSRF_LOOKUP_CODE)
    return { kind: "permanent", code: "HOOKLINE_SSRF_BLOCKED", message: messageOf(err) };
  if (code === undefined) return { kind: "retryable", code: "HOOKLINE_NETWORK_ERROR", message };
  if (PERMANENT_CODES.has(code)) return { kind: "permanent", code: "HOOKLINE_INVALID_CONFIG", message };
  const mapped = UNDICI_CODES[code] ?? socketErrorCode(code);
  if (mapped !== undefined) return { kind: "retryable", code: mapped, message };
  if (code.startsWith("HPE_")) return { kind: "retryable", code: "HOOKLINE_INVALID_RESPONSE", message };
  return { kind: "retryable", code: "HOOKLINE_NETWORK_ERROR", message };
}
