import { describe, expect, it } from "vitest";
import { mapError } from "./map-error.js";
import { TLS_CLOSED_CODE } from "./tls-confirm.js";

const coded = (code: string, message = "boom") => Object.assign(new Error(message), { code });

describe("mapError", () => {
  it.each([
    ["UND_ERR_CONNECT_TIMEOUT", "HOOKLINE_CONNECT_TIMEOUT"],
    ["ETIMEDOUT", "HOOKLINE_CONNECT_TIMEOUT"],
    ["ECONNREFUSED", "HOOKLINE_CONNECTION_REFUSED"],
    ["ECONNRESET", "HOOKLINE_CONNECTION_RESET"],
    ["EPIPE", "HOOKLINE_CONNECTION_RESET"],
    ["UND_ERR_SOCKET", "HOOKLINE_CONNECTION_RESET"],
    ["ENOTFOUND", "HOOKLINE_DNS_FAILURE"],
    ["EAI_AGAIN", "HOOKLINE_DNS_FAILURE"],
    ["UND_ERR_HEADERS_TIMEOUT", "HOOKLINE_TIMEOUT"],
    ["UND_ERR_BODY_TIMEOUT", "HOOKLINE_TIMEOUT"],
    ["HPE_INVALID_CONSTANT", "HOOKLINE_INVALID_RESPONSE"],
    ["HPE_INVALID_CHUNK_SIZE", "HOOKLINE_INVALID_RESPONSE"],
    ["UND_ERR_HEADERS_OVERFLOW", "HOOKLINE_INVALID_RESPONSE"],
    ["ERR_TLS_CERT_ALTNAME_INVALID", "HOOKLINE_TLS_FAILURE"],
    ["DEPTH_ZERO_SELF_SIGNED_CERT", "HOOKLINE_TLS_FAILURE"],
    ["CERT_HAS_EXPIRED", "HOOKLINE_TLS_FAILURE"],
    ["UNABLE_TO_VERIFY_LEAF_SIGNATURE", "HOOKLINE_TLS_FAILURE"],
    ["ERR_SSL_WRONG_VERSION_NUMBER", "HOOKLINE_TLS_FAILURE"],
    // A private CA the endpoint does not trust, and a client certificate the receiver refuses.
    ["UNABLE_TO_GET_ISSUER_CERT_LOCALLY", "HOOKLINE_TLS_FAILURE"],
    ["SELF_SIGNED_CERT_IN_CHAIN", "HOOKLINE_TLS_FAILURE"],
    ["ERR_SSL_TLSV1_ALERT_UNKNOWN_CA", "HOOKLINE_TLS_FAILURE"],
    ["ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE", "HOOKLINE_TLS_FAILURE"],
    ["ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED", "HOOKLINE_TLS_FAILURE"],
    [TLS_CLOSED_CODE, "HOOKLINE_TLS_FAILURE"],
    ["EHOSTUNREACH", "HOOKLINE_NETWORK_ERROR"],
    ["ENETUNREACH", "HOOKLINE_NETWORK_ERROR"],
  ])("%s is retryable %s", (code, expected) => {
    expect(mapError(coded(code))).toMatchObject({ kind: "retryable", code: expected });
  });

  it("keeps the original code in the message for the log", () => {
    expect(mapError(coded("ECONNRESET", "read ECONNRESET")).message).toBe("ECONNRESET: read ECONNRESET");
  });

  it("a parser error without a code is an invalid response", () => {
    const err = Object.assign(new Error("Expected HTTP/"), { name: "HTTPParserError" });
    expect(mapError(err).code).toBe("HOOKLINE_INVALID_RESPONSE");
  });

  it("looks through AggregateError and cause", () => {
    expect(mapError(new AggregateError([coded("ECONNREFUSED")], "all failed")).code).toBe(
      "HOOKLINE_CONNECTION_REFUSED",
    );
    expect(mapError(new Error("wrapped", { cause: coded("ENOTFOUND") })).code).toBe("HOOKLINE_DNS_FAILURE");
  });

  it("an SSRF refusal at connect time is permanent", () => {
    expect(mapError(coded("HOOKLINE_SSRF_BLOCKED", "10.0.0.1 is private"))).toEqual({
      kind: "permanent",
      code: "HOOKLINE_SSRF_BLOCKED",
      message: "10.0.0.1 is private",
    });
  });

  it("a request undici refuses to build is a permanent config error", () => {
    expect(mapError(coded("UND_ERR_INVALID_ARG"))).toMatchObject({
      kind: "permanent",
      code: "HOOKLINE_INVALID_CONFIG",
    });
  });

  it("anything else is a retryable network error, even a non-Error", () => {
    expect(mapError("weird")).toEqual({
      kind: "retryable",
      code: "HOOKLINE_NETWORK_ERROR",
      message: "weird",
    });
    expect(mapError(coded("E_SOMETHING_NEW")).code).toBe("HOOKLINE_NETWORK_ERROR");
  });
});
