import { createHookline, defineEvent, definePlugin, isHooklineError, memoryStore } from "@hookline/core";
import { TEST_SECRET } from "@hookline/core/testing";
import { describe, expect, it } from "vitest";
import { httpTransport } from "./http-transport.js";
import { HTTP_SCHEMES } from "./validate-endpoint.js";

const anything = {
  "~standard": { version: 1, vendor: "test", validate: (value: unknown) => ({ value }) },
} as const;
const ping = defineEvent({ code: "ping", description: "A ping.", schema: anything });
const plugin = definePlugin({ name: "pings", events: [ping] as const });

function build(url: string) {
  return () =>
    createHookline({
      plugins: [plugin],
      endpoints: [{ id: "crm", url, events: "*", secret: TEST_SECRET }],
      store: memoryStore(),
      transport: httpTransport(),
    });
}

describe("httpTransport().validateEndpoint", () => {
  it("serves http and https", () => {
    expect(httpTransport().schemes).toEqual(HTTP_SCHEMES);
    expect(build("https://crm.example.com/hooks")).not.toThrow();
  });

  it("refuses a URL with credentials at construction, without echoing them", () => {
    let error: unknown;
    try {
      build("https://u:p4ssw0rd@crm.example.com/hooks")();
    } catch (e) {
      error = e;
    }
    expect(isHooklineError(error, "HOOKLINE_INVALID_CONFIG")).toBe(true);
    expect((error as Error).message).toMatch(
      /endpoint "crm" url: expected a URL without credentials \(send them in headers.authorization instead\)/,
    );
    expect((error as Error).message).not.toContain("p4ssw0rd");
  });

  it("refuses a scheme other than http: and https: when called directly", () => {
    expect(() => httpTransport().validateEndpoint?.({ endpointId: "crm", url: "ftp://x.example/h" })).toThrow(
      /endpoint "crm" url: expected an http: or https: URL, got scheme "ftp:"/,
    );
  });
});
