import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DeliveryOutcome, Transport } from "../contracts/transport.js";
import { createHookline, type Hookline } from "../hookline.js";
import { memoryStore } from "../memory/memory-store.js";
import { memoryTransport } from "../memory/memory-transport.js";
import { fakeClock } from "../testing/fake-clock.js";
import { makeEvent } from "../testing/fixtures.js";
import { memoryReceiver, startHttpReceiver, type TestReceiver } from "../testing/receiver.js";
import { until } from "../testing/until.js";
import { SECRET, shopPlugin, spyStore } from "./helpers.js";
import { fetchTransport, type OtelSdk, otelSdk, points } from "./telemetry-fixtures.js";

const order = { orderId: "o-1", total: 10 };
let sdk: OtelSdk;
const running: Hookline[] = [];

beforeEach(() => {
  sdk = otelSdk();
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((h) => h.stop()));
  await sdk.shutdown();
});

const sorted = <T>(rows: T[]) => rows.map((r) => JSON.stringify(r)).sort();

describe("metrics", () => {
  let receiver: TestReceiver;
  beforeEach(async () => {
    receiver = await startHttpReceiver();
  });
  afterEach(() => receiver.close());

  it("counts emits, attempts by outcome and completed deliveries, with their units and attributes", async () => {
    receiver.on("/ok", { status: 200 });
    receiver.on("/flaky", { status: 503 });
    receiver.on("/gone", { status: 410 });
    const store = memoryStore();
    const hooks = createHookline({
      plugins: [shopPlugin()],
      endpoints: ["ok", "flaky", "gone"].map((id) => ({
        id,
        url: receiver.url(`/${id}`),
        events: ["order_placed"],
        secret: SECRET,
      })),
      store,
      transport: fetchTransport(),
      worker: { enabled: false },
      telemetry: { tracerProvider: sdk.tracerProvider, meterProvider: sdk.meterProvider },
    });
    running.push(hooks);
    const result = await hooks.emit("order_placed", order, { wait: "attempted" });
    await hooks.emit("order_shipped", { orderId: "o-1", carriers: [] });
    await hooks.emit("order_placed", order, { idempotencyKey: "k" });
    await hooks.emit("order_placed", order, { idempotencyKey: "k" });
    await until(() => receiver.requests.length === 5, { what: "five requests" });
    const flakyId = result.deliveries.find((d) => d.endpointId === "flaky")?.id as string;
    const flakyCode = (await store.getDelivery(flakyId))?.attemptLog[0]?.errorCode;
    expect(flakyCode).toMatch(/^HOOKLINE_/);
    const total = (rows: [unknown, number][]) => rows.reduce((n, [, v]) => n + v, 0);
    // Attempts are counted when sent, completions once recorded (a moment later).
    await until(async () => {
      const m = await sdk.collect();
      return (
        total(points(m.get("hookline.attempts"))) === 5 &&
        total(points(m.get("hookline.deliveries.completed"))) === 3
      );
    });
    const m = await sdk.collect();

    expect(sorted(points(m.get("hookline.events.emitted")))).toEqual(
      sorted([
        [{ "hookline.event.code": "order_placed" }, 2],
        [{ "hookline.event.code": "order_shipped" }, 1],
      ]),
    );
    const emitDuration = m.get("hookline.emit.duration");
    expect(emitDuration?.descriptor.unit).toBe("s");
    expect(points(emitDuration)).toEqual([[{}, 4]]);

    expect(sorted(points(m.get("hookline.attempts")))).toEqual(
      sorted([
        [{ "hookline.endpoint.id": "ok", "hookline.outcome": "success" }, 2],
        [
          {
            "hookline.endpoint.id": "flaky",
            "hookline.outcome": "retryable",
            "hookline.error.code": flakyCode,
          },
          2,
        ],
        [
          {
            "hookline.endpoint.id": "gone",
            "hookline.outcome": "permanent",
            "hookline.error.code": "HOOKLINE_ENDPOINT_GONE",
          },
          1,
        ],
      ]),
    );
    const attemptDuration = m.get("hookline.attempt.duration");
    expect(attemptDuration?.descriptor.unit).toBe("s");
    expect(sorted(points(attemptDuration))).toEqual(
      sorted([
        [{ "hookline.endpoint.id": "ok", "hookline.outcome": "success" }, 2],
        [{ "hookline.endpoint.id": "flaky", "hookline.outcome": "retryable" }, 2],
        [{ "hookline.endpoint.id": "gone", "hookline.outcome": "permanent" }, 1],
      ]),
    );
    // The 410 disabled "gone": the second event's delivery there was stored cancelled, never attempted.
    expect(sorted(points(m.get("hookline.deliveries.completed")))).toEqual(
      sorted([
        [{ "hookline.endpoint.id": "ok", "hookline.delivery.status": "succeeded" }, 2],
        [{ "hookline.endpoint.id": "gone", "hookline.delivery.status": "failed" }, 1],
      ]),
    );
    expect(points(m.get("hookline.inflight"))).toEqual([[{}, 0]]);
  });

  it("counts a delivery cancelled at its attempt (endpoint switched off), which sends nothing", async () => {
    const store = memoryStore();
    await store.insertEvents([makeEvent({ code: "order_placed", endpoints: ["off"] })]);
    const hooks = createHookline({
      plugins: [shopPlugin()],
      endpoints: [{ id: "off", url: receiver.url("/off"), events: "*", secret: SECRET, enabled: false }],
      store,
      transport: fetchTransport(),
      worker: { pollIntervalMs: 20 },
      telemetry: { tracerProvider: sdk.tracerProvider, meterProvider: sdk.meterProvider },
    });
    running.push(hooks);
    await hooks.start();
    await until(async () => points((await sdk.collect()).get("hookline.deliveries.completed")).length > 0);
    const m = await sdk.collect();
    expect(points(m.get("hookline.deliveries.completed"))).toEqual([
      [{ "hookline.endpoint.id": "off", "hookline.delivery.status": "cancelled" }, 1],
    ]);
    expect(m.has("hookline.attempts")).toBe(false);
    expect(sdk.named("hookline.attempt")).toEqual([]);
    expect(receiver.requests).toEqual([]);
  });

  it("hookline.inflight counts the attempts being sent now", async () => {
    const gates: ((o: DeliveryOutcome) => void)[] = [];
    const transport: Transport = {
      name: "gated",
      send: () => new Promise((resolve) => gates.push(resolve)),
    };
    const hooks = createHookline({
      plugins: [shopPlugin()],
      endpoints: [{ id: "a", url: receiver.url("/a"), events: "*", secret: SECRET }],
      store: memoryStore(),
      transport,
      worker: { enabled: false },
      telemetry: { meterProvider: sdk.meterProvider },
    });
    running.push(hooks);
    const a = hooks.emit("order_placed", order, { wait: "attempted" });
    const b = hooks.emit("order_placed", order, { wait: "attempted" });
    await until(() => gates.length === 2);
    expect(points((await sdk.collect()).get("hookline.inflight"))).toEqual([[{}, 2]]);
    gates[0]?.({ kind: "success", durationMs: 1 });
    await a;
    expect(points((await sdk.collect()).get("hookline.inflight"))).toEqual([[{}, 1]]);
    gates[1]?.({ kind: "success", durationMs: 1 });
    await b;
    expect(points((await sdk.collect()).get("hookline.inflight"))).toEqual([[{}, 0]]);
  });
});

describe("backlog gauges", () => {
  function backlogHooks() {
    const clock = fakeClock();
    const spy = spyStore(clock);
    const reads = { count: 0, fail: false };
    const backlog = spy.store.backlog.bind(spy.store);
    spy.store.backlog = async () => {
      reads.count++;
      if (reads.fail) throw new Error("connection lost");
      return backlog();
    };
    const errors: { error: unknown; context: string }[] = [];
    const hooks = createHookline({
      plugins: [shopPlugin()],
      endpoints: ["a", "b"].map((id) => ({
        id,
        url: `http://127.0.0.1:9/${id}`,
        events: "*" as const,
        secret: SECRET,
      })),
      store: spy.store,
      transport: memoryTransport({ receiver: memoryReceiver() }),
      clock,
      worker: { enabled: false },
      telemetry: { meterProvider: sdk.meterProvider },
    });
    hooks.on("error", (e) => errors.push(e));
    running.push(hooks);
    return { hooks, clock, store: spy.store, reads, errors };
  }

  const gauges = async () => {
    const m = await sdk.collect();
    return {
      due: sorted(points(m.get("hookline.backlog"))),
      age: sorted(points(m.get("hookline.backlog.oldest_age"))),
      unit: m.get("hookline.backlog.oldest_age")?.descriptor.unit,
    };
  };

  it("observe due deliveries of configured endpoints, reading the store at most every 10 s", async () => {
    const { clock, store, reads } = backlogHooks();
    // Two due for "a", one for an endpoint this process does not configure.
    const at = { createdAt: clock.now() };
    await store.insertEvents([
      makeEvent({ endpoints: ["a", "elsewhere"], ...at }),
      makeEvent({ endpoints: ["a"], ...at }),
    ]);
    expect(await gauges()).toEqual({
      due: sorted([
        [{ "hookline.endpoint.id": "a" }, 2],
        [{ "hookline.endpoint.id": "b" }, 0],
      ]),
      age: sorted([
        [{ "hookline.endpoint.id": "a" }, 0],
        [{ "hookline.endpoint.id": "b" }, 0],
      ]),
      unit: "s",
    });
    expect(reads.count).toBe(1);
    await store.insertEvents([makeEvent({ endpoints: ["b"], createdAt: clock.now() })]);
    await clock.advance(9_000);
    // Within 10 s: the cached counts, the age as of now.
    expect((await gauges()).due).toContain(JSON.stringify([{ "hookline.endpoint.id": "b" }, 0]));
    expect((await gauges()).age).toContain(JSON.stringify([{ "hookline.endpoint.id": "a" }, 9]));
    expect(reads.count).toBe(1);
    await clock.advance(1_000);
    expect((await gauges()).due).toEqual(
      sorted([
        [{ "hookline.endpoint.id": "a" }, 2],
        [{ "hookline.endpoint.id": "b" }, 1],
      ]),
    );
    expect(reads.count).toBe(2);
  });

  it("a failed read goes to the error event and the last values stay", async () => {
    const { clock, store, reads, errors } = backlogHooks();
    await store.insertEvents([makeEvent({ endpoints: ["a"], createdAt: clock.now() })]);
    const first = (await gauges()).due;
    reads.fail = true;
    await clock.advance(10_000);
    expect((await gauges()).due).toEqual(first);
    expect(reads.count).toBe(2);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.context).toMatch(/backlog/);
    expect(String(errors[0]?.error)).toMatch(/connection lost/);
  });

  it("are removed at stop(): the store is not read again", async () => {
    const { hooks, clock, store, reads } = backlogHooks();
    expect((await gauges()).due).toHaveLength(2);
    await store.insertEvents([makeEvent({ endpoints: ["b"], createdAt: clock.now() })]);
    await hooks.stop();
    await clock.advance(10_000);
    expect((await gauges()).due).not.toContain(JSON.stringify([{ "hookline.endpoint.id": "b" }, 1]));
    expect(reads.count).toBe(1);
  });
});
