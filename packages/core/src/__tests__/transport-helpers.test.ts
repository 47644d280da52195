import { describe, expect, it } from "vitest";
import { makeRequest } from "../testing/test-request.js";
import { intOption, intOptions } from "../transports/option-checks.js";
import { attemptTimeoutMs, startAttempt } from "../transports/send-checks.js";
import { socketErrorCode } from "../transports/socket-errors.js";
import { failedOutcome } from "../transports/transport-failure.js";
import { UrlCache } from "../transports/url-cache.js";

describe("intOption", () => {
  const range = { min: 1, max: 10, default: 5 };

  it("gives the default when the option is not given, and the value when it is in range", () => {
    expect(intOption("n", undefined, range)).toBe(5);
    expect(intOption("n", 1, range)).toBe(1);
    expect(intOption("n", 10, range)).toBe(10);
  });

  it.each([[0], [11], [1.5], ["3"], [Number.NaN], [null]])(
    "refuses %j naming the option and the range",
    (v) => {
      expect(() => intOption("worker.n", v, range)).toThrow(
        /^HOOKLINE_INVALID_OPTION: worker\.n: expected an integer from 1 to 10, got /,
      );
    },
  );
});

describe("intOptions", () => {
  it("checks each option of the table in its order and gives defaults for the rest", () => {
    const ranges = { a: { min: 0, max: 5, default: 1 }, b: { min: 0, max: 5, default: 2 } };
    expect(intOptions({ b: 4 }, ranges)).toEqual({ a: 1, b: 4 });
    expect(() => intOptions({ a: 9, b: 9 }, ranges)).toThrow(
      /^HOOKLINE_INVALID_OPTION: a: expected an integer from 0 to 5, got /,
    );
  });
});

describe("socketErrorCode", () => {
  it.each([
    ["ECONNREFUSED", "HOOKLINE_CONNECTION_REFUSED"],
    ["ECONNRESET", "HOOKLINE_CONNECTION_RESET"],
    ["ECONNABORTED", "HOOKLINE_CONNECTION_RESET"],
    ["EPIPE", "HOOKLINE_CONNECTION_RESET"],
    ["ETIMEDOUT", "HOOKLINE_CONNECT_TIMEOUT"],
    ["ENOTFOUND", "HOOKLINE_DNS_FAILURE"],
    ["EAI_AGAIN", "HOOKLINE_DNS_FAILURE"],
    ["ESERVFAIL", "HOOKLINE_DNS_FAILURE"],
    ["EPROTO", "HOOKLINE_TLS_FAILURE"],
    ["ERR_TLS_CERT_ALTNAME_INVALID", "HOOKLINE_TLS_FAILURE"],
    ["CERT_HAS_EXPIRED", "HOOKLINE_TLS_FAILURE"],
    ["DEPTH_ZERO_SELF_SIGNED_CERT", "HOOKLINE_TLS_FAILURE"],
    ["SELF_SIGNED_CERT_IN_CHAIN", "HOOKLINE_TLS_FAILURE"],
  ])("maps %s to %s", (code, expected) => {
    expect(socketErrorCode(code)).toBe(expected);
  });

  it("leaves a code it does not know to the transport", () => {
    expect(socketErrorCode("UND_ERR_SOCKET")).toBeUndefined();
    expect(socketErrorCode("E_SOMETHING_NEW")).toBeUndefined();
  });
});

describe("startAttempt", () => {
  it("refuses a closed transport before an aborted signal", () => {
    const aborted = AbortSignal.abort();
    expect(startAttempt(aborted, true).refused).toMatchObject({
      kind: "retryable",
      error: { code: "HOOKLINE_ABORTED", message: "the transport is closed" },
    });
    expect(startAttempt(aborted, false).refused).toMatchObject({
      kind: "retryable",
      error: { code: "HOOKLINE_ABORTED", message: "aborted before sending" },
    });
  });

  it("lets a live attempt start, with a clock that never goes below zero", () => {
    const start = startAttempt(new AbortController().signal, false);
    expect(start.refused).toBeUndefined();
    expect(start.elapsed()).toBeGreaterThanOrEqual(0);
    expect(Number.isInteger(start.elapsed())).toBe(true);
  });
});

describe("attemptTimeoutMs", () => {
  it("takes the endpoint's deadline only when it is a positive finite number", () => {
    expect(attemptTimeoutMs(makeRequest("http://127.0.0.1/x", { timeoutMs: 250 }), 1000)).toBe(250);
    expect(attemptTimeoutMs(makeRequest("http://127.0.0.1/x"), 1000)).toBe(1000);
    expect(attemptTimeoutMs(makeRequest("http://127.0.0.1/x", { timeoutMs: 0 }), 1000)).toBe(1000);
    expect(
      attemptTimeoutMs(makeRequest("http://127.0.0.1/x", { timeoutMs: Number.POSITIVE_INFINITY }), 1000),
    ).toBe(1000);
  });
});

describe("failedOutcome", () => {
  it("keeps the part of an answer that arrived", () => {
    expect(failedOutcome("permanent", "HOOKLINE_INVALID_CONFIG", "bad", 3)).toEqual({
      kind: "permanent",
      durationMs: 3,
      error: { code: "HOOKLINE_INVALID_CONFIG", message: "bad" },
    });
    expect(failedOutcome("retryable", "HOOKLINE_TIMEOUT", "slow", 9, { status: 200, body: "x" })).toEqual({
      kind: "retryable",
      status: 200,
      body: "x",
      durationMs: 9,
      error: { code: "HOOKLINE_TIMEOUT", message: "slow" },
    });
  });
});

describe("UrlCache", () => {
  it("parses each URL once and starts over when full", () => {
    const parsed: string[] = [];
    const cache = new UrlCache((url) => {
      parsed.push(url);
      return url.length;
    }, 2);
    expect(cache.get("a")).toBe(1);
    expect(cache.get("a")).toBe(1);
    expect(cache.get("bb")).toBe(2);
    expect(parsed).toEqual(["a", "bb"]);
    cache.get("ccc");
    cache.get("a");
    expect(parsed).toEqual(["a", "bb", "ccc", "a"]);
  });
});
