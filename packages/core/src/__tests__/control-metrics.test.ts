import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DeliveryStore } from "../contracts/store.js";
import { createHookline } from "../hookline.js";
import { memoryStore } from "../memory/memory-store.js";
import { memoryTransport } from "../memory/memory-transport.js";
import { memoryReceiver } from "../testing/receiver.js";
import { controlPlugin, endpoint } from "./control-fixtures.js";
import { spyStore } from "./helpers.js";
import { type OtelSdk, otelSdk, points } from "./telemetry-fixtures.js";

let sdk: OtelSdk;
beforeEach(() => {
  sdk = otelSdk();
});
afterEach(() => sdk.shutdown());

/** The control plugin on `store`; rate-limited endpoints, so the states pile up unsent. */
function hooksOn(store: DeliveryStore) {
  const receiver = memoryReceiver();
  return createHookline({
    plugins: [controlPlugin()],
    endpoints: [
      endpoint(receiver.baseUrl, "in", { rateLimit: { perSecond: 1 } }),
      endpoint(receiver.baseUrl, "out", { rateLimit: { perSecond: 1 }, supersede: false }),
    ],
    store,
    transport: memoryTransport({ receiver }),
    telemetry: { tracerProvider: sdk.tracerProvider, meterProvider: sdk.meterProvider },
  });
}

const completed = async () => points((await sdk.collect()).get("hookline.deliveries.completed"));

describe("hookline.deliveries.completed and supersede", () => {
  it("counts each delivery a newer state cancelled as cancelled, on its endpoint", async () => {
    const hooks = hooksOn(memoryStore());
    try {
      for (const v of [1, 2, 3]) await hooks.emit("state_changed", { id: "s1", v });
      await hooks.emit("state_changed", { id: "s2", v: 1 });
      expect(await completed()).toEqual([
        [{ "hookline.endpoint.id": "in", "hookline.delivery.status": "cancelled" }, 2],
      ]);
    } finally {
      await hooks.stop();
    }
  });

  it("counts an outbox emit's cancellations once its transaction commits, not when it rolls back", async () => {
    const spy = spyStore();
    const outcomes = new Map<unknown, Promise<"committed" | "rolled-back">>();
    // A store that takes any object as a transaction and reports the outcome the test chose.
    const store: DeliveryStore = {
      ...spy.store,
      insertEvents: (batch) => spy.store.insertEvents(batch),
      transactionOutcome: (trx) => outcomes.get(trx),
    };
    const hooks = hooksOn(store);
    try {
      await hooks.emit("state_changed", { id: "s1", v: 1 });
      const rolledBack = {};
      outcomes.set(rolledBack, Promise.resolve("rolled-back"));
      await hooks.emit("state_changed", { id: "s1", v: 2 }, { trx: rolledBack });
      const committed = {};
      let commit!: (v: "committed") => void;
      outcomes.set(committed, new Promise((r) => (commit = r)));
      await hooks.emit("state_changed", { id: "s1", v: 3 }, { trx: committed });
      expect(await completed()).toEqual([]);
      commit("committed");
      await outcomes.get(committed);
      expect(await completed()).toEqual([
        [{ "hookline.endpoint.id": "in", "hookline.delivery.status": "cancelled" }, 1],
      ]);
    } finally {
      await hooks.stop();
    }
  });
});
