import type { SpanContext } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import {
  formatTraceparent,
  formatTracestate,
  injectTraceContext,
  parseTraceContext,
  parseTracestate,
  toStoredTraceContext,
} from "../telemetry/w3c-trace-context.js";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const SPAN = "00f067aa0ba902b7";
const sc = (extra: Partial<SpanContext> = {}): SpanContext => ({
  traceId: TRACE,
  spanId: SPAN,
  traceFlags: 1,
  ...extra,
});

describe("W3C trace context", () => {
  it("formats version 00 with two hex digits of flags", () => {
    expect(formatTraceparent(sc())).toBe(`00-${TRACE}-${SPAN}-01`);
    expect(formatTraceparent(sc({ traceFlags: 0 }))).toBe(`00-${TRACE}-${SPAN}-00`);
    expect(formatTraceparent(sc({ traceFlags: 0xff }))).toBe(`00-${TRACE}-${SPAN}-ff`);
  });

  it("stores nothing for an invalid span context (the API's no-op span has all-zero ids)", () => {
    expect(toStoredTraceContext(sc({ traceId: "0".repeat(32) }))).toBeNull();
    expect(toStoredTraceContext(sc({ spanId: "0".repeat(16) }))).toBeNull();
    expect(toStoredTraceContext(sc({ traceId: TRACE.toUpperCase() }))).toBeNull();
    expect(toStoredTraceContext(sc())).toEqual({ traceparent: `00-${TRACE}-${SPAN}-01` });
  });

  it("round-trips traceparent and tracestate as a remote span context", () => {
    const stored = {
      traceparent: `00-${TRACE}-${SPAN}-01`,
      tracestate: "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE",
    };
    const parsed = parseTraceContext(stored) as SpanContext;
    expect(parsed).toMatchObject({ traceId: TRACE, spanId: SPAN, traceFlags: 1, isRemote: true });
    expect(parsed.traceState?.get("congo")).toBe("t61rcWkgMzE");
    expect(toStoredTraceContext(parsed)).toEqual(stored);
  });

  it("refuses other versions, malformed ids and all-zero ids", () => {
    const bad = [
      `01-${TRACE}-${SPAN}-01`,
      `00-${TRACE}-${SPAN}-01-extra`,
      `00-${TRACE.toUpperCase()}-${SPAN}-01`,
      `00-${"0".repeat(32)}-${SPAN}-01`,
      `00-${TRACE}-${"0".repeat(16)}-01`,
      `00-${TRACE.slice(1)}-${SPAN}-01`,
      `00-${TRACE}-${SPAN}-1`,
      "",
    ];
    for (const traceparent of bad) expect(parseTraceContext({ traceparent })).toBeUndefined();
    expect(parseTraceContext(null)).toBeUndefined();
    expect(parseTraceContext(undefined)).toBeUndefined();
  });

  it("drops a tracestate over 512 chars or malformed, keeping the traceparent", () => {
    const traceparent = `00-${TRACE}-${SPAN}-01`;
    const long = Array.from({ length: 30 }, (_, i) => `k${i}=${"v".repeat(20)}`).join(",");
    expect(long.length).toBeGreaterThan(512);
    for (const tracestate of [long, "no-equals", "Upper=1", "a=1,a=2", "a= "]) {
      const parsed = parseTraceContext({ traceparent, tracestate });
      expect(parsed?.spanId).toBe(SPAN);
      expect(parsed?.traceState).toBeUndefined();
    }
    expect(parseTracestate("tenant@vendor=x, b=2")?.serialize()).toBe("tenant@vendor=x,b=2");
  });

  it("cuts a tracestate to 512 chars by whole members, and sets a key at the front", () => {
    const state = parseTracestate("a=1") as NonNullable<ReturnType<typeof parseTracestate>>;
    let big = state;
    for (let i = 0; i < 30; i++) big = big.set(`k${i}`, "v".repeat(20));
    const text = formatTracestate(big) as string;
    expect(text.length).toBeLessThanOrEqual(512);
    expect(text.startsWith(`k29=${"v".repeat(20)},`)).toBe(true);
    expect(big.serialize().startsWith(text)).toBe(true);
    expect(state.set("a", "2").serialize()).toBe("a=2");
    expect(state.unset("a").serialize()).toBe("");
  });

  it("injects headers only for a valid context", () => {
    const headers: Record<string, string> = {};
    injectTraceContext(sc({ traceId: "0".repeat(32) }), headers);
    expect(headers).toEqual({});
    injectTraceContext(sc({ traceState: parseTracestate("a=1") }), headers);
    expect(headers).toEqual({ traceparent: `00-${TRACE}-${SPAN}-01`, tracestate: "a=1" });
  });
});
