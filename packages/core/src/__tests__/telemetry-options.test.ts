import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { context, metrics, trace } from "@opentelemetry/api";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ENDPOINT_KEYS } from "../endpoints/resolve-endpoints.js";
import { createHookline, type Hookline } from "../hookline.js";
import type { HooklineOptions } from "../options.js";
import { resolveSettings } from "../options.js";
import { TELEMETRY_OPTION_KEYS } from "../telemetry/telemetry-options.js";
import { startHttpReceiver, type TestReceiver } from "../testing/receiver.js";
import { errorMessageOf, SECRET, shopPlugin, spyStore } from "./helpers.js";
import { fetchTransport, otelSdk, points } from "./telemetry-fixtures.js";

const order = { orderId: "o-1", total: 10 };
const running: Hookline[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((h) => h.stop()));
  trace.disable();
  metrics.disable();
  vi.restoreAllMocks();
});

type Opts = HooklineOptions<ReturnType<typeof shopPlugin>[]>;
const base = (extra: Partial<Opts> = {}): Opts => ({
  plugins: [shopPlugin()],
  endpoints: [{ id: "a", url: "http://127.0.0.1:9/a", events: "*", secret: SECRET }],
  store: spyStore().store,
  transport: fetchTransport(),
  ...extra,
});

/** An instance sending to `receiver` on one endpoint that asks for trace headers. */
function propagating(receiver: TestReceiver, extra: Partial<Opts> = {}) {
  const spy = spyStore();
  const hooks = createHookline({
    ...base(extra),
    store: spy.store,
    endpoints: [
      { id: "a", url: receiver.url("/a"), events: "*", secret: SECRET, propagateTraceContext: true },
    ],
    worker: { enabled: false },
  });
  running.push(hooks);
  return { hooks, batches: spy.batches };
}

describe("the telemetry option", () => {
  it("is validated strictly and frozen", () => {
    const message = (telemetry: unknown) =>
      errorMessageOf(() => resolveSettings(base({ telemetry } as Partial<Opts>)), "HOOKLINE_INVALID_OPTION");
    expect(message(true)).toBe(
      "HOOKLINE_INVALID_OPTION: telemetry: expected false or { tracerProvider?, meterProvider? }, got boolean true",
    );
    expect(message({ tracerprovider: {} })).toMatch(
      /^HOOKLINE_INVALID_OPTION: telemetry: unknown key "tracerprovider" \(did you mean "tracerProvider"\?\)/,
    );
    expect(message({ meterProvider: {} })).toBe(
      "HOOKLINE_INVALID_OPTION: telemetry.meterProvider: expected a MeterProvider (an object with getMeter()), got an object (Object)",
    );
    expect(message({ tracerProvider: "global" })).toMatch(
      /^HOOKLINE_INVALID_OPTION: telemetry\.tracerProvider: expected a TracerProvider/,
    );
    const sdk = otelSdk();
    const given = resolveSettings(base({ telemetry: { meterProvider: sdk.meterProvider } })).telemetry;
    expect(given).toEqual({ meterProvider: sdk.meterProvider });
    expect(Object.isFrozen(given)).toBe(true);
    expect(resolveSettings(base()).telemetry).toEqual({});
    expect(resolveSettings(base({ telemetry: false })).telemetry).toBe(false);
  });

  it("false records nothing and never calls the API, even with providers registered", async () => {
    const receiver = await startHttpReceiver();
    const sdk = otelSdk();
    trace.setGlobalTracerProvider(sdk.tracerProvider);
    metrics.setGlobalMeterProvider(sdk.meterProvider);
    const calls = [
      vi.spyOn(trace, "getTracerProvider"),
      vi.spyOn(trace, "setSpan"),
      vi.spyOn(metrics, "getMeterProvider"),
      vi.spyOn(context, "active"),
      vi.spyOn(context, "with"),
    ];
    const off = propagating(receiver, { telemetry: false });
    await off.hooks.emit("order_placed", order, { wait: "attempted" });
    await off.hooks.stop();
    for (const spy of calls) expect(spy).not.toHaveBeenCalled();
    expect(sdk.spans()).toEqual([]);
    expect([...(await sdk.collect()).keys()]).toEqual([]);
    expect(off.batches[0]?.[0]).not.toHaveProperty("traceContext");
    expect(receiver.requests[0]?.headers).not.toHaveProperty("traceparent");

    // The same process without the option: the global providers are used.
    const on = propagating(receiver);
    await on.hooks.emit("order_placed", order, { wait: "attempted" });
    expect(sdk.spans().map((s) => s.name)).toEqual(["hookline.attempt", "hookline.emit"]);
    expect((await sdk.collect()).has("hookline.attempts")).toBe(true);
    expect(on.batches[0]?.[0]?.traceContext?.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(receiver.requests[1]?.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    await receiver.close();
    await sdk.shutdown();
  });

  it("without an SDK, no trace context is stored and no traceparent is sent", async () => {
    const receiver = await startHttpReceiver();
    const { hooks, batches } = propagating(receiver);
    const result = await hooks.emit("order_placed", order, { wait: "attempted" });
    expect(result.attempts?.[0]?.outcome.kind).toBe("success");
    expect(batches[0]?.[0]).not.toHaveProperty("traceContext");
    expect(receiver.requests[0]?.headers).not.toHaveProperty("traceparent");
    await receiver.close();
  });

  it("without an SDK, makes no span and no context per emit or attempt", async () => {
    const receiver = await startHttpReceiver();
    const setSpan = vi.spyOn(trace, "setSpan");
    const { hooks } = propagating(receiver);
    const result = await hooks.emit("order_placed", order, { wait: "attempted" });
    expect(result.attempts?.[0]?.outcome.kind).toBe("success");
    expect(setSpan).not.toHaveBeenCalled();
    await receiver.close();
  });

  it("an SDK registered after the instance was made records its next emits and attempts", async () => {
    const receiver = await startHttpReceiver();
    const sdk = otelSdk();
    const { hooks, batches } = propagating(receiver);
    await hooks.emit("order_placed", order, { wait: "attempted" });
    expect(sdk.spans()).toEqual([]);
    trace.setGlobalTracerProvider(sdk.tracerProvider);
    await hooks.emit("order_placed", { ...order, orderId: "o-2" }, { wait: "attempted" });
    expect(sdk.spans().map((s) => s.name)).toEqual(["hookline.attempt", "hookline.emit"]);
    const [attempt, emit] = sdk.spans();
    expect(attempt?.parentSpanContext?.spanId).toBe(emit?.spanContext().spanId);
    expect(batches[0]?.[0]).not.toHaveProperty("traceContext");
    expect(batches[1]?.[0]?.traceContext?.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(receiver.requests[1]?.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    await receiver.close();
    await sdk.shutdown();
  });

  it("with a meter provider and no tracer, times emits without making spans", async () => {
    const receiver = await startHttpReceiver();
    const sdk = otelSdk();
    metrics.setGlobalMeterProvider(sdk.meterProvider);
    const setSpan = vi.spyOn(trace, "setSpan");
    const { hooks } = propagating(receiver);
    await hooks.emit("order_placed", order, { wait: "attempted" });
    const collected = await sdk.collect();
    expect(points(collected.get("hookline.emit.duration")).map(([, count]) => count)).toEqual([1]);
    expect(points(collected.get("hookline.attempts")).map(([, count]) => count)).toEqual([1]);
    expect(setSpan).not.toHaveBeenCalled();
    expect(sdk.spans()).toEqual([]);
    await receiver.close();
    await sdk.shutdown();
  });
});

describe("the endpoint option propagateTraceContext", () => {
  const endpoint = (extra: object) => ({
    id: "a",
    url: "http://127.0.0.1:9/a",
    events: "*",
    secret: SECRET,
    ...extra,
  });
  const message = (extra: object) =>
    errorMessageOf(() => createHookline(base({ endpoints: [endpoint(extra) as never] })));

  it("takes a boolean only, under its exact name", () => {
    expect(message({ propagateTraceContext: "yes" })).toBe(
      'HOOKLINE_INVALID_CONFIG: endpoint "a" propagateTraceContext: expected a boolean, got "yes"',
    );
    expect(message({ propagateTracecontext: true })).toMatch(/did you mean "propagateTraceContext"\?/);
  });

  it("refuses trace headers of the endpoint's own when it propagates", () => {
    expect(message({ propagateTraceContext: true, headers: { TraceParent: "00-x" } })).toMatch(
      /^HOOKLINE_INVALID_CONFIG: endpoint "a" headers\["traceparent"\]: expected no trace header of its own/,
    );
    expect(() =>
      createHookline(base({ endpoints: [endpoint({ headers: { traceparent: "x" } }) as never] })),
    ).not.toThrow();
  });
});

describe("the core README", () => {
  const readme = readFileSync(fileURLToPath(new URL("../../README.md", import.meta.url)), "utf8");

  it("documents every telemetry.* option", () => {
    const rows = [...readme.matchAll(/^\| `telemetry\.([A-Za-z]+)` \|/gm)].map((m) => m[1]);
    expect(rows.sort()).toEqual([...TELEMETRY_OPTION_KEYS].sort());
  });

  it("lists every endpoint key among the known keys", () => {
    const known = readme.slice(readme.indexOf("**Only known keys**"), readme.indexOf("and in `tls` only"));
    for (const key of ENDPOINT_KEYS) expect(known).toContain(`\`${key}\``);
  });
});
