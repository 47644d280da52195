import type { ErrorCode } from "../errors/codes.js";

// Node's socket and DNS errno codes; every client built on node:net and node:dns reports these.
const BY_CODE: Readonly<Record<string, ErrorCode>> = {
  ECONNREFUSED: "HOOKLINE_CONNECTION_REFUSED",
  ECONNRESET: "HOOKLINE_CONNECTION_RESET",
  ECONNABORTED: "HOOKLINE_CONNECTION_RESET",
  EPIPE: "HOOKLINE_CONNECTION_RESET",
  ETIMEDOUT: "HOOKLINE_CONNECT_TIMEOUT",
  ENOTFOUND: "HOOKLINE_DNS_FAILURE",
  EAI_AGAIN: "HOOKLINE_DNS_FAILURE",
  EAI_FAIL: "HOOKLINE_DNS_FAILURE",
  EAI_NODATA: "HOOKLINE_DNS_FAILURE",
  ENODATA: "HOOKLINE_DNS_FAILURE",
  ESERVFAIL: "HOOKLINE_DNS_FAILURE",
  EPROTO: "HOOKLINE_TLS_FAILURE",
};

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

/**
 * Core's code for a Node socket, DNS or TLS error code (`err.code`): refused, reset, connect
 * timeout, DNS failure or TLS failure; `undefined` for a code that is none of these, which the
 * transport maps itself. Every such failure is retryable: the next attempt may find the peer back.
 */
export function socketErrorCode(code: string): ErrorCode | undefined {
  const mapped = BY_CODE[code];
  if (mapped !== undefined) return mapped;
  if (TLS_CODES.has(code) || TLS_PREFIXES.some((p) => code.startsWith(p))) return "HOOKLINE_TLS_FAILURE";
  return undefined;
}
