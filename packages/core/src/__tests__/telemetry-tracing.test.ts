import {
  context,
  ROOT_CONTEXT,
  type SpanContext,
  SpanKind,
  SpanStatusCode,
  type TraceState,
  trace,
} from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { DeliveryStore } from "../contracts/store.js";
import type { Transport } from "../contracts/transport.js";
import type { EndpointConfig } from "../endpoints/endpoint-config.js";
import { createHookline, type Hookline } from "../hookline.js";
import { memoryStore } from "../memory/memory-store.js";
import type { WorkerOptions } from "../options.js";
import { parseTracestate } from "../telemetry/w3c-trace-context.js";
import { makeEvent } from "../testing/fixtures.js";
import { startHttpReceiver, type TestReceiver } from "../testing/receiver.js";
import { until } from "../testing/until.js";
import { SECRET, shopPlugin, spyStore } from "./helpers.js";
import { fetchTransport, type OtelSdk, otelSdk, queueTransport } from "./telemetry-fixtures.js";

const order = { orderId: "o-1", total: 10 };
const contextManager = new AsyncLocalStorageContextManager();
let sdk: OtelSdk;
let receiver: TestReceiver;
const running: Hookline[] = [];

beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
});
afterAll(() => {
  context.disable();
});
beforeEach(async () => {
  sdk = otelSdk();
  receiver = await startHttpReceiver();
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((h) => h.stop()));
  await receiver.close();
  await sdk.shutdown();
});

function hooksOn(
  store: DeliveryStore,
  endpoints: EndpointConfig[],
  opts: { sdk?: OtelSdk; worker?: WorkerOptions; transport?: Transport; maxEmitting?: number } = {},
) {
  const otel = opts.sdk ?? sdk;
  const hooks = createHookline({
    plugins: [shopPlugin()],
    endpoints,
    store,
    transport: opts.transport ?? fetchTransport(),
    retry: { schedule: [1, 1], jitter: 0 },
    worker: { enabled: false, pollIntervalMs: 20, ...opts.worker },
    telemetry: { tracerProvider: otel.tracerProvider, meterProvider: otel.meterProvider },
    ...(opts.maxEmitting !== undefined ? { maxEmitting: opts.maxEmitting } : {}),
  });
  running.push(hooks);
  return hooks;
}

const endpoint = (id: string, extra: Partial<EndpointConfig> = {}): EndpointConfig => ({
  id,
  url: receiver.url(`/${id}`),
  events: "*",
  secret: SECRET,
  ...extra,
});

const ids = (sc: SpanContext | undefined) => sc && { traceId: sc.traceId, spanId: sc.spanId };
const only = (spans: ReadableSpan[]): ReadableSpan => {
  expect(spans).toHaveLength(1);
  return spans[0] as ReadableSpan;
};

describe("hookline.emit", () => {
  it("is a PRODUCER child of the caller's active span, and its W3C context is stored with the event", async () => {
    const spy = spyStore();
    const hooks = hooksOn(spy.store, [endpoint("a"), endpoint("b", { events: ["order_shipped"] })]);
    const caller = sdk.tracerProvider.getTracer("app").startSpan("checkout");
    const result = await context.with(trace.setSpan(ROOT_CONTEXT, caller), () =>
      hooks.emit("order_placed", order),
    );
    caller.end();
    const emit = only(sdk.named("hookline.emit"));
    expect(emit.kind).toBe(SpanKind.PRODUCER);
    expect(emit.instrumentationScope.name).toBe("@hookline/core");
    expect(ids(emit.parentSpanContext)).toEqual(ids(caller.spanContext()));
    expect(emit.spanContext().traceId).toBe(caller.spanContext().traceId);
    expect(emit.attributes).toEqual({
      "hookline.event.code": "order_placed",
      "hookline.event.id": result.eventId,
      "hookline.deliveries": 1,
    });
    expect(emit.status.code).toBe(SpanStatusCode.UNSET);
    const { traceId, spanId } = emit.spanContext();
    expect(spy.batches[0]?.[0]?.traceContext).toEqual({ traceparent: `00-${traceId}-${spanId}-01` });
  });

  it("an emit that waited for room (maxEmitting) is still a child of its own caller's span", async () => {
    const spy = spyStore();
    spy.ctl.insertDelayMs = 10;
    const hooks = hooksOn(spy.store, [endpoint("a")], { maxEmitting: 1 });
    const tracer = sdk.tracerProvider.getTracer("app");
    const callers = Array.from({ length: 3 }, (_, i) => tracer.startSpan(`request-${i}`));
    const results = await Promise.all(
      callers.map((caller, i) =>
        context.with(trace.setSpan(ROOT_CONTEXT, caller), () =>
          hooks.emit("order_placed", { orderId: `o${i}`, total: i }),
        ),
      ),
    );
    for (const c of callers) c.end();
    const emits = sdk.named("hookline.emit");
    expect(emits).toHaveLength(3);
    for (const [i, r] of results.entries()) {
      const span = emits.find((e) => e.attributes["hookline.event.id"] === r.eventId);
      expect(ids(span?.parentSpanContext)).toEqual(ids(callers[i]!.spanContext()));
    }
  });

  it("records a rejected emit: exception, status ERROR and the error code", async () => {
    const hooks = hooksOn(memoryStore(), [endpoint("a")]);
    await expect(hooks.emit("order_placed", { orderId: 1 } as never)).rejects.toMatchObject({
      code: "HOOKLINE_INVALID_PAYLOAD",
    });
    const emit = only(sdk.named("hookline.emit"));
    expect(emit.status.code).toBe(SpanStatusCode.ERROR);
    expect(emit.attributes["hookline.error.code"]).toBe("HOOKLINE_INVALID_PAYLOAD");
    expect(emit.events.map((e) => e.name)).toEqual(["exception"]);
  });
});

describe("hookline.attempt", () => {
  it("a first attempt sent by emit() is a CLIENT child of the emit span, with the HTTP attributes", async () => {
    const hooks = hooksOn(memoryStore(), [endpoint("a")]);
    receiver.on("/a", { status: 202 });
    const result = await hooks.emit("order_placed", order, { wait: "attempted" });
    const emit = only(sdk.named("hookline.emit"));
    const attempt = only(sdk.named("hookline.attempt"));
    expect(attempt.kind).toBe(SpanKind.CLIENT);
    expect(ids(attempt.parentSpanContext)).toEqual(ids(emit.spanContext()));
    expect(attempt.parentSpanContext?.isRemote ?? false).toBe(false);
    expect(attempt.attributes).toEqual({
      "hookline.endpoint.id": "a",
      "hookline.delivery.id": result.deliveries[0]?.id,
      "hookline.attempt.number": 1,
      "hookline.outcome": "success",
      "http.request.method": "POST",
      "http.response.status_code": 202,
      "server.address": "127.0.0.1",
      "server.port": Number(new URL(receiver.baseUrl).port),
      "url.full": receiver.url("/a"),
    });
    expect(attempt.status.code).toBe(SpanStatusCode.UNSET);
  });

  it("url.full is redacted as the log stores it", async () => {
    const hooks = hooksOn(memoryStore(), [endpoint("a", { url: `${receiver.url("/a")}?token=s3cret` })]);
    await hooks.emit("order_placed", order, { wait: "attempted" });
    const attempt = only(sdk.named("hookline.attempt"));
    expect(attempt.attributes["url.full"]).toBe(`${receiver.url("/a")}?token=[redacted]`);
  });

  it("in another process, attempt 1 joins the emit's trace through the stored traceparent (remote parent)", async () => {
    const store = memoryStore();
    const endpoints = [endpoint("a"), endpoint("b")];
    // No room for two first attempts: the emitter stores both deliveries unclaimed.
    const emitter = hooksOn(store, endpoints, { worker: { maxInFlight: 1, maxQueued: 0 } });
    await emitter.emit("order_placed", order);
    expect(receiver.requests).toHaveLength(0);
    const other = otelSdk();
    const worker = hooksOn(store, endpoints, { sdk: other, worker: { enabled: true } });
    await worker.start();
    await receiver.waitFor(2);
    await until(() => other.named("hookline.attempt").length === 2, { what: "two attempt spans" });
    const emit = only(sdk.named("hookline.emit"));
    for (const attempt of other.named("hookline.attempt")) {
      expect(attempt.spanContext().traceId).toBe(emit.spanContext().traceId);
      expect(ids(attempt.parentSpanContext)).toEqual(ids(emit.spanContext()));
      expect(attempt.parentSpanContext?.isRemote).toBe(true);
      expect(attempt.links).toEqual([]);
    }
    expect(sdk.named("hookline.attempt")).toEqual([]);
    await other.shutdown();
  });

  it("a retry, in another process, and a replay start new traces linked to the emit", async () => {
    const store = memoryStore();
    receiver.on("/a", [{ status: 503 }, { status: 200 }]);
    const emitter = hooksOn(store, [endpoint("a")]);
    const result = await emitter.emit("order_placed", order, { wait: "attempted" });
    const deliveryId = result.deliveries[0]?.id as string;
    await emitter.stop();
    const emit = only(sdk.named("hookline.emit"));
    const first = only(sdk.named("hookline.attempt"));
    expect(ids(first.parentSpanContext)).toEqual(ids(emit.spanContext()));
    expect(first.status.code).toBe(SpanStatusCode.ERROR);
    const stored = (await store.getDelivery(deliveryId))?.attemptLog[0];
    expect(first.attributes).toMatchObject({
      "hookline.outcome": "retryable",
      "hookline.error.code": stored?.errorCode,
      "http.response.status_code": 503,
    });

    const other = otelSdk();
    const worker = hooksOn(store, [endpoint("a")], { sdk: other, worker: { enabled: true } });
    await worker.start();
    await until(() => other.named("hookline.attempt").length === 1, { what: "the retry's span" });
    await until(async () => (await store.getDelivery(deliveryId))?.status === "succeeded");
    await worker.replay([deliveryId]);
    await until(() => other.named("hookline.attempt").length === 2, { what: "the replay's span" });
    const [retry, replay] = other.named("hookline.attempt") as [ReadableSpan, ReadableSpan];
    expect(retry.attributes["hookline.attempt.number"]).toBe(2);
    expect(replay.attributes["hookline.attempt.number"]).toBe(3);
    for (const span of [retry, replay]) {
      expect(span.parentSpanContext).toBeUndefined();
      expect(span.spanContext().traceId).not.toBe(emit.spanContext().traceId);
      expect(span.links.map((l) => ({ ...ids(l.context), isRemote: l.context.isRemote }))).toEqual([
        { ...ids(emit.spanContext()), isRemote: true },
      ]);
    }
    expect(retry.spanContext().traceId).not.toBe(replay.spanContext().traceId);
    await other.shutdown();
  });

  it("is a PRODUCER span for a queue sink, active while the transport sends", async () => {
    const active: (string | undefined)[] = [];
    const queue = queueTransport();
    const transport: Transport = {
      ...queue,
      send(req, opts) {
        active.push(trace.getActiveSpan()?.spanContext().spanId);
        return queue.send(req, opts);
      },
    };
    const hooks = hooksOn(memoryStore(), [endpoint("q", { url: "amqp://broker.test/orders" })], {
      transport,
    });
    const result = await hooks.emit("order_placed", order, { wait: "attempted" });
    const attempt = only(sdk.named("hookline.attempt"));
    expect(attempt.kind).toBe(SpanKind.PRODUCER);
    expect(attempt.attributes).toEqual({
      "hookline.endpoint.id": "q",
      "hookline.delivery.id": result.deliveries[0]?.id,
      "hookline.attempt.number": 1,
      "hookline.outcome": "success",
    });
    expect(active).toEqual([attempt.spanContext().spanId]);
  });
});

describe("propagateTraceContext", () => {
  it("sends the attempt span's traceparent (and tracestate) only to endpoints that ask, and logs it", async () => {
    const hooks = hooksOn(memoryStore(), [endpoint("on", { propagateTraceContext: true }), endpoint("off")]);
    // The caller's context comes from an upstream request carrying a tracestate.
    const upstream = {
      traceId: "0af7651916cd43dd8448eb211c80319c",
      spanId: "b7ad6b7169203331",
      traceFlags: 1,
      isRemote: true,
      traceState: parseTracestate("vendor=abc,other=1") as TraceState,
    };
    const result = await context.with(trace.setSpanContext(ROOT_CONTEXT, upstream), () =>
      hooks.emit("order_placed", order, { wait: "attempted" }),
    );
    const on = receiver.requests.find((r) => r.path === "/on");
    const off = receiver.requests.find((r) => r.path === "/off");
    const span = sdk.named("hookline.attempt").find((s) => s.attributes["hookline.endpoint.id"] === "on");
    const sc = span?.spanContext() as SpanContext;
    expect(sc.traceId).toBe(upstream.traceId);
    expect(on?.headers.traceparent).toBe(`00-${sc.traceId}-${sc.spanId}-01`);
    expect(on?.headers.tracestate).toBe("vendor=abc,other=1");
    expect(off?.headers).not.toHaveProperty("traceparent");
    expect(off?.headers).not.toHaveProperty("tracestate");
    const onId = result.deliveries.find((d) => d.endpointId === "on")?.id as string;
    const logged = (await hooks.store.getDelivery(onId))?.attemptLog[0]?.requestHeaders;
    expect(logged?.traceparent).toBe(on?.headers.traceparent);
  });

  it("carries a stored context's sampled flag and tracestate to a receiver in another process", async () => {
    const store = memoryStore();
    const tc = {
      traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      tracestate: "congo=t61rcWkgMzE",
    };
    await store.insertEvents([
      { ...makeEvent({ code: "order_placed", endpoints: ["on"] }), traceContext: tc },
    ]);
    const worker = hooksOn(store, [endpoint("on", { propagateTraceContext: true })], {
      worker: { enabled: true },
    });
    await worker.start();
    const [req] = await receiver.waitFor(1);
    expect(req?.headers.traceparent).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
    expect(req?.headers.tracestate).toBe("congo=t61rcWkgMzE");
    await until(() => sdk.named("hookline.attempt").length === 1);
    const attempt = only(sdk.named("hookline.attempt"));
    expect(attempt.parentSpanContext?.spanId).toBe("00f067aa0ba902b7");
    expect(req?.headers.traceparent).toBe(
      `00-${attempt.spanContext().traceId}-${attempt.spanContext().spanId}-01`,
    );
  });
});
