import {
  container,
  createHookline,
  isHooklineError,
  memoryStore,
  TOKENS,
  type Transport,
} from "@hookline/core";
import { TEST_SECRET } from "@hookline/core/testing";
import { describe, expect, it } from "vitest";
import { httpTransport, registerHttpTransport } from "./index.js";
import { type HttpTransportOptions, resolveOptions } from "./options.js";
import { DEFAULT_USER_AGENT, VERSION } from "./version.js";

function rejection(opts: unknown): string {
  try {
    httpTransport(opts as HttpTransportOptions);
  } catch (err) {
    expect(isHooklineError(err, "HOOKLINE_INVALID_OPTION")).toBe(true);
    return (err as Error).message;
  }
  throw new Error("expected httpTransport() to throw");
}

describe("options", () => {
  it("has documented defaults", () => {
    const o = resolveOptions(undefined);
    expect(o).toMatchObject({
      timeoutMs: 15_000,
      connectTimeoutMs: 5_000,
      maxResponseBytes: 16_384,
      disableOn410: true,
      connectionsPerOrigin: 32,
      maxInFlightPerOrigin: 256,
      keepAliveTimeoutMs: 4_000,
      userAgent: DEFAULT_USER_AGENT,
      ssrf: { enabled: true, cidrs: [], suffixes: [] },
    });
    expect(o.ssrf.hosts.size).toBe(0);
    expect(DEFAULT_USER_AGENT).toBe(`Hookline/${VERSION}`);
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("freezes the resolved options and the transport", () => {
    const o = resolveOptions({ ssrf: { allow: ["10.0.0.0/8"] } });
    expect(Object.isFrozen(o)).toBe(true);
    expect(Object.isFrozen(o.ssrf)).toBe(true);
    expect(Object.isFrozen(o.ssrf.cidrs)).toBe(true);
    const t = httpTransport();
    expect(Object.isFrozen(t)).toBe(true);
    expect(t.name).toBe("http");
  });

  it.each([
    [
      { timeoutMs: 0 },
      /^HOOKLINE_INVALID_OPTION: timeoutMs: expected an integer from 1 to 300000, got number 0$/,
    ],
    [{ timeoutMs: "15s" }, /timeoutMs: expected an integer .* got "15s"/],
    [{ timeoutMs: 1.5 }, /timeoutMs: expected an integer/],
    [{ connectTimeoutMs: -1 }, /connectTimeoutMs: expected/],
    [{ maxResponseBytes: Number.NaN }, /maxResponseBytes: expected/],
    [{ maxResponseBytes: 2 ** 40 }, /maxResponseBytes: expected an integer from 0 to/],
    [{ disableOn410: "yes" }, /disableOn410: expected a boolean, got "yes"/],
    [{ connectionsPerOrigin: 0 }, /connectionsPerOrigin: expected/],
    [{ maxInFlightPerOrigin: null }, /maxInFlightPerOrigin: expected .* got null/],
    [{ keepAliveTimeoutMs: Number.POSITIVE_INFINITY }, /keepAliveTimeoutMs: expected/],
    [{ userAgent: "" }, /userAgent: expected a non-empty string/],
    [{ userAgent: "a\r\nx-injected: 1" }, /userAgent: expected a non-empty string without CR, LF or NUL/],
    [{ lookup: "8.8.8.8" }, /lookup: expected a function/],
    [{ timeout: 5000 }, /httpTransport options: unknown key "timeout" \(did you mean "timeoutMs"\?\)/],
    [
      { connectionsPerorigin: 5 },
      /unknown key "connectionsPerorigin" \(did you mean "connectionsPerOrigin"\?\)/,
    ],
    [{ ssrf: true }, /ssrf: expected an object/],
    [{ ssrf: { enabled: "no" } }, /ssrf\.enabled: expected a boolean/],
    [
      { ssrf: { allowlist: [] } },
      /httpTransport options\.ssrf: unknown key "allowlist"; expected only enabled, allow/,
    ],
    [{ ssrf: { Enabled: false } }, /options\.ssrf: unknown key "Enabled" \(did you mean "enabled"\?\)/],
    [{ ssrf: [] }, /options\.ssrf: expected an object, got an array of 0/],
    [{ ssrf: { allow: "127.0.0.1/32" } }, /ssrf\.allow: expected an array/],
    [{ ssrf: { allow: [42] } }, /ssrf\.allow\[0\]: expected a string, got number 42/],
    [{ ssrf: { allow: ["ok.internal", "10/8"] } }, /ssrf\.allow\[1\]: expected a CIDR .* got "10\/8"/],
    [{ ssrf: { allow: ["127.0.0.1/33"] } }, /ssrf\.allow\[0\]/],
    [{ ssrf: { allow: ["not a host!"] } }, /ssrf\.allow\[0\]/],
    [{ ssrf: { allow: ["0x7f.1"] } }, /ssrf\.allow\[0\]/],
    [null, /options: expected an object, got null/],
  ])("rejects %j", (opts, message) => {
    expect(rejection(opts)).toMatch(message);
  });

  it("parses the allowlist into CIDRs, single addresses, names and wildcards", () => {
    const { ssrf } = resolveOptions({
      ssrf: {
        allow: ["127.0.0.1/32", "::1/128", "10.1.2.3", "fd00::/8", "Receiver.Internal.", "*.svc.local"],
      },
    });
    expect(ssrf.cidrs.map(([net, bits]) => `${net.toString()}/${bits}`)).toEqual([
      "127.0.0.1/32",
      "::1/128",
      "10.1.2.3/32",
      "fd00::/8",
    ]);
    expect([...ssrf.hosts]).toEqual(["receiver.internal"]);
    expect(ssrf.suffixes).toEqual([".svc.local"]);
  });
});

describe("the transport's deadline", () => {
  it("is exposed, so createHookline refuses a lease it could outlive", async () => {
    expect(httpTransport().timeoutMs).toBe(15_000);
    const slow = httpTransport({ timeoutMs: 100_000 });
    expect(slow.timeoutMs).toBe(100_000);
    const opts = {
      plugins: [],
      endpoints: [{ id: "crm", url: "https://crm.example/hooks", events: "*" as const, secret: TEST_SECRET }],
      store: memoryStore(),
      transport: slow,
    };
    expect(() => createHookline(opts)).toThrow(
      /worker\.leaseMs: expected at least twice the longest send deadline \(timeoutMs of the transport serving endpoint "crm": 100000 ms\), got 120000/,
    );
    const hooks = createHookline({ ...opts, worker: { leaseMs: 200_000 } });
    await hooks.stop();
  });
});

describe("registerHttpTransport", () => {
  it("registers an http transport under TOKENS.Transport", async () => {
    const child = container.createChildContainer();
    registerHttpTransport(child, { timeoutMs: 1_000 });
    const t = child.resolve<Transport>(TOKENS.Transport);
    expect(t.name).toBe("http");
    await t.close?.();
  });

  it("validates the options at registration", () => {
    const child = container.createChildContainer();
    expect(() => registerHttpTransport(child, { timeoutMs: -5 })).toThrow(
      /HOOKLINE_INVALID_OPTION: timeoutMs/,
    );
  });
});
