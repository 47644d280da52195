import { describe, expect, it } from "vitest";
import { natsTransport } from "./nats-transport.js";
import { resolveNatsOptions } from "./options.js";

describe("natsTransport options", () => {
  it("has documented defaults and is frozen", () => {
    const o = resolveNatsOptions(undefined);
    expect(o).toEqual({
      timeoutMs: 10_000,
      connectTimeoutMs: 5_000,
      maxInFlightPerServer: 256,
      maxReconnectAttempts: 10,
      reconnectTimeWaitMs: 2_000,
      clientName: "hookline",
    });
    expect(Object.isFrozen(o)).toBe(true);
  });

  it("exposes the deadline on the transport, which createHookline checks leases against", () => {
    expect(natsTransport().timeoutMs).toBe(10_000);
    expect(natsTransport({ timeoutMs: 90_000 }).timeoutMs).toBe(90_000);
  });

  it("names the nearest option for an unknown key", () => {
    expect(() => resolveNatsOptions({ timeout: 5 } as never)).toThrow(/timeout.*did you mean "timeoutMs"/);
  });

  it.each([
    [{ timeoutMs: 0 }, /timeoutMs/],
    [{ connectTimeoutMs: 1.5 }, /connectTimeoutMs/],
    [{ maxInFlightPerServer: 0 }, /maxInFlightPerServer/],
    [{ maxReconnectAttempts: -1 }, /maxReconnectAttempts/],
    [{ reconnectTimeWaitMs: "2s" }, /reconnectTimeWaitMs/],
    [{ clientName: "two words" }, /clientName/],
  ])("refuses %j with HOOKLINE_INVALID_OPTION", (opts, name) => {
    expect(() => resolveNatsOptions(opts as never)).toThrow(name);
    expect(() => resolveNatsOptions(opts as never)).toThrow(/HOOKLINE_INVALID_OPTION/);
  });
});
