import { describe, expect, it } from "vitest";
import { redactCredentialHeaders, redactHeaders, redactUrl } from "../dispatch/redact.js";
import { resolveEndpoints } from "../endpoints/resolve-endpoints.js";

describe("redactHeaders", () => {
  const sent = {
    "content-type": "application/json",
    "webhook-id": "msg_1",
    "webhook-timestamp": "1700000000",
    "webhook-signature": "v1,abc",
    "user-agent": "Hookline/1",
    "x-auth": "s3cret-1",
    "x-access-key": "s3cret-2",
    "x-hub-credential": "s3cret-3",
    "x-shopify-hmac-sha256": "s3cret-4",
    "x-tenant": "acme",
  };

  it("keeps only Hookline's own headers and the listed ones; everything else is redacted", () => {
    expect(redactHeaders(sent, ["X-Tenant"])).toEqual({
      "content-type": "application/json",
      "webhook-id": "msg_1",
      "webhook-timestamp": "1700000000",
      "webhook-signature": "[redacted]",
      "user-agent": "Hookline/1",
      "x-auth": "[redacted]",
      "x-access-key": "[redacted]",
      "x-hub-credential": "[redacted]",
      "x-shopify-hmac-sha256": "[redacted]",
      "x-tenant": "acme",
    });
    expect(redactHeaders(sent)["x-tenant"]).toBe("[redacted]");
  });

  it("never shows a credential-like name, listed or not, nor the signature", () => {
    const h = { authorization: "Bearer s3cret", "x-session-id": "s3cret", "webhook-signature": "v1,x" };
    expect(redactHeaders(h, ["authorization", "x-session-id", "webhook-signature"])).toEqual({
      authorization: "[redacted]",
      "x-session-id": "[redacted]",
      "webhook-signature": "[redacted]",
    });
  });

  it("the store's pass only hides credential-like names and keeps a redaction", () => {
    expect(
      redactCredentialHeaders({
        "x-api-key": "k",
        "x-hub-credential": "c",
        "x-trace": "t",
        "x-a": "[redacted]",
      }),
    ).toEqual({
      "x-api-key": "[redacted]",
      "x-hub-credential": "[redacted]",
      "x-trace": "t",
      "x-a": "[redacted]",
    });
  });
});

describe("redactUrl", () => {
  it.each([
    ["https://x.test/hook?apikey=s3cret&v=2", "https://x.test/hook?apikey=[redacted]&v=[redacted]"],
    ["https://user:pa@ss@x.test:8443/hook", "https://[redacted]@x.test:8443/hook"],
    ["https://x.test/a@b?token", "https://x.test/a@b?[redacted]"],
    ["https://x.test/hook?a=&b=1#frag", "https://x.test/hook?a=&b=[redacted]#[redacted]"],
    ["https://x.test/hook", "https://x.test/hook"],
    ["not a url ?apikey=s3cret", "not a url ?apikey=[redacted]"],
    ["u:p@x.test/h", "[redacted]@x.test/h"],
    // WHATWG reads any run of slashes and backslashes after an http(s) scheme as "//".
    ["https:\\\\u:pw@x.test/h", "https:\\\\[redacted]@x.test/h"],
    ["https:///u:pw@x.test/h", "https:///[redacted]@x.test/h"],
  ])("%s -> %s", (raw, shown) => {
    expect(redactUrl(raw)).toBe(shown);
    expect(redactUrl(shown)).toBe(shown);
  });
});

describe("endpoint URL errors", () => {
  it("do not echo query values of a URL that does not parse", () => {
    const bad = { id: "a", url: "http//x.test/hook?apikey=s3cret", events: "*" as const, signing: false };
    expect(() => resolveEndpoints([bad], { knownCodes: [] })).toThrow(/apikey=\[redacted\]/);
    expect(() => resolveEndpoints([bad], { knownCodes: [] })).not.toThrow(/s3cret/);
  });
});
