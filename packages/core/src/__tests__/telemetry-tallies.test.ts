import { DataPointType } from "@opentelemetry/sdk-metrics";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Transport } from "../contracts/transport.js";
import { createHookline, type Hookline } from "../hookline.js";
import { memoryStore } from "../memory/memory-store.js";
import { until } from "../testing/until.js";
import { SECRET, shopPlugin } from "./helpers.js";
import { type OtelSdk, otelSdk, points } from "./telemetry-fixtures.js";

// The counters and hookline.inflight are observed from running totals at collection: these
// cases are the ones where totals kept per instance, or counted around the send, would drift.

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

function hooksWith(transport: Transport, endpointId: string): Hookline {
  const hooks = createHookline({
    plugins: [shopPlugin()],
    endpoints: [{ id: endpointId, url: `http://127.0.0.1:9/${endpointId}`, events: "*", secret: SECRET }],
    store: memoryStore(),
    transport,
    worker: { enabled: false },
    telemetry: { meterProvider: sdk.meterProvider },
  });
  running.push(hooks);
  return hooks;
}

const sorted = <T>(rows: T[]) => rows.map((r) => JSON.stringify(r)).sort();
const succeeding: Transport = { name: "ok", send: async () => ({ kind: "success", durationMs: 1 }) };

describe("counters observed from running totals", () => {
  it("add up over the instances sharing a meter, as synchronous counters would", async () => {
    const a = hooksWith(succeeding, "shared");
    const b = hooksWith(succeeding, "shared");
    await a.emit("order_placed", order, { wait: "attempted" });
    await b.emit("order_placed", order, { wait: "attempted" });
    await b.emit("order_shipped", { orderId: "o-1", carriers: [] }, { wait: "attempted" });
    // Completions are counted once recorded, a moment after the attempts resolved.
    const completed = async () => points((await sdk.collect()).get("hookline.deliveries.completed"));
    await until(async () => (await completed())[0]?.[1] === 3);
    const m = await sdk.collect();
    expect(sorted(points(m.get("hookline.events.emitted")))).toEqual(
      sorted([
        [{ "hookline.event.code": "order_placed" }, 2],
        [{ "hookline.event.code": "order_shipped" }, 1],
      ]),
    );
    expect(points(m.get("hookline.attempts"))).toEqual([
      [{ "hookline.endpoint.id": "shared", "hookline.outcome": "success" }, 3],
    ]);
    expect(await completed()).toEqual([
      [{ "hookline.endpoint.id": "shared", "hookline.delivery.status": "succeeded" }, 3],
    ]);
  });

  it("are exported as cumulative sums: monotonic, except hookline.inflight", async () => {
    await hooksWith(succeeding, "a").emit("order_placed", order, { wait: "attempted" });
    await until(async () => (await sdk.collect()).has("hookline.deliveries.completed"));
    const m = await sdk.collect();
    for (const name of ["hookline.events.emitted", "hookline.attempts", "hookline.deliveries.completed"]) {
      expect(m.get(name), name).toMatchObject({ dataPointType: DataPointType.SUM, isMonotonic: true });
    }
    expect(m.get("hookline.inflight")).toMatchObject({
      dataPointType: DataPointType.SUM,
      isMonotonic: false,
    });
  });

  it("keep their values after stop(), as the SDK keeps a synchronous counter's", async () => {
    const hooks = hooksWith(succeeding, "a");
    await hooks.emit("order_placed", order, { wait: "attempted" });
    await hooks.stop();
    const m = await sdk.collect();
    expect(points(m.get("hookline.events.emitted"))).toEqual([
      [{ "hookline.event.code": "order_placed" }, 1],
    ]);
    expect(points(m.get("hookline.inflight"))).toEqual([[{}, 0]]);
  });

  it("count an attempt whose transport throws, and leave hookline.inflight at 0", async () => {
    const throwing: Transport = {
      name: "throwing",
      send: () => {
        throw new Error("bug in a transport");
      },
    };
    const hooks = hooksWith(throwing, "b");
    const result = await hooks.emit("order_placed", order, { wait: "attempted" });
    expect(result.attempts?.[0]?.outcome.error?.code).toBe("HOOKLINE_TRANSPORT_ERROR");
    const m = await sdk.collect();
    expect(points(m.get("hookline.attempts"))).toEqual([
      [
        {
          "hookline.endpoint.id": "b",
          "hookline.outcome": "retryable",
          "hookline.error.code": "HOOKLINE_TRANSPORT_ERROR",
        },
        1,
      ],
    ]);
    expect(points(m.get("hookline.inflight"))).toEqual([[{}, 0]]);
  });
});
