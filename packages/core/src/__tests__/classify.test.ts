import { describe, expect, it } from "vitest";
import { classifyResponse, parseRetryAfter } from "../contracts/classify.js";

const res = (status: number, headers: Record<string, string> = {}) => ({ status, headers, durationMs: 3 });
const now = new Date("2026-06-01T12:00:00Z");

describe("classifyResponse", () => {
  it.each([200, 201, 204, 299])("%i is success", (s) =>
    expect(classifyResponse(res(s)).kind).toBe("success"),
  );
  it.each([400, 401, 404, 409, 422, 500, 501])("%i is retryable with HOOKLINE_HTTP_STATUS", (s) => {
    const o = classifyResponse(res(s));
    expect(o).toMatchObject({ kind: "retryable", error: { code: "HOOKLINE_HTTP_STATUS" } });
    expect(o.retryAfterMs).toBeUndefined();
  });
  it("3xx is a failure with its Location recorded", () => {
    const o = classifyResponse(res(301, { location: "http://169.254.169.254/" }));
    expect(o).toMatchObject({ kind: "retryable", error: { code: "HOOKLINE_REDIRECT" } });
    expect(o.error?.message).toContain("169.254.169.254");
  });
  it("410 is permanent and disables, unless configured off", () => {
    expect(classifyResponse(res(410))).toMatchObject({ kind: "permanent", disableEndpoint: true });
    expect(classifyResponse(res(410), { disableOn410: false })).toMatchObject({ kind: "retryable" });
  });
  it.each([429, 502, 503, 504])("%i parses Retry-After", (s) => {
    expect(classifyResponse(res(s, { "retry-after": "12" }), {}, now).retryAfterMs).toBe(12_000);
  });
  it("ignores Retry-After on other statuses", () => {
    expect(classifyResponse(res(500, { "retry-after": "12" })).retryAfterMs).toBeUndefined();
  });
});

describe("parseRetryAfter", () => {
  it("reads seconds and HTTP dates", () => {
    expect(parseRetryAfter("0", now)).toBe(0);
    expect(parseRetryAfter(" 120 ", now)).toBe(120_000);
    expect(parseRetryAfter("Mon, 01 Jun 2026 12:01:30 GMT", now)).toBe(90_000);
    expect(parseRetryAfter("Mon, 01 Jun 2026 11:00:00 GMT", now)).toBe(0);
  });
  it.each(["", "soon", "-5", "1.5", "12abc", "2026-06-01", "99999999999999", "Thu, 99 Foo 2026"])(
    "ignores garbage %j",
    (v) => expect(parseRetryAfter(v, now)).toBeUndefined(),
  );
});
