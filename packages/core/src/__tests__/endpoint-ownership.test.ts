import { afterEach, describe, expect, it, vi } from "vitest";
import type { DeliveryStore } from "../contracts/store.js";
import { createHookline, type Hookline } from "../hookline.js";
import { memoryStore } from "../memory/memory-store.js";
import { memoryTransport } from "../memory/memory-transport.js";
import { makeEvent } from "../testing/fixtures.js";
import { memoryReceiver } from "../testing/receiver.js";
import { shopPlugin } from "./helpers.js";

const body = '{"orderId":"o-1","total":1,"eventCode":"order_placed"}';

/** A process configured with `a` and a config-disabled `off`; the log also holds `elsewhere`. */
function setup(store: DeliveryStore) {
  const receiver = memoryReceiver();
  const hooks = createHookline({
    plugins: [shopPlugin()],
    endpoints: [
      { id: "a", url: `${receiver.baseUrl}/a`, events: "*", signing: false },
      { id: "off", url: `${receiver.baseUrl}/off`, events: "*", signing: false, enabled: false },
    ],
    store,
    transport: memoryTransport({ receiver }),
    worker: { pollIntervalMs: 10 },
  });
  return { hooks, receiver };
}

let running: Hookline | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

describe("deliveries of endpoints this process does not configure", () => {
  it("the worker claims only configured endpoints (disabled ones included) and leaves the rest pending", async () => {
    const store = memoryStore();
    const claims = vi.spyOn(store, "claimDue");
    const [mine, off, theirs] = ["a", "off", "elsewhere"].map((ep) =>
      makeEvent({ code: "order_placed", endpoints: [ep], body }),
    );
    await store.insertEvents([theirs!, mine!, off!]);
    const { hooks, receiver } = setup(store);
    running = hooks;
    const failed = vi.fn();
    hooks.on("delivery.failed", failed);
    await hooks.start();
    await vi.waitFor(async () => {
      expect((await store.getDelivery(mine!.deliveries[0]!.id))?.status).toBe("succeeded");
      // The config-disabled endpoint is still this process's: its delivery is cancelled, as before.
      expect((await store.getDelivery(off!.deliveries[0]!.id))?.status).toBe("cancelled");
    });
    expect(claims.mock.calls[0]?.[0].endpointIds).toEqual(["a", "off"]);
    expect(await store.getDelivery(theirs!.deliveries[0]!.id)).toMatchObject({
      status: "pending",
      attempts: 0,
      attemptLog: [],
    });
    expect(receiver.requests.map((r) => r.path)).toEqual(["/a"]);
    expect(failed).not.toHaveBeenCalled();
  });

  it("one in hand anyway is given back un-counted: no attempt recorded, not failed, still pending", async () => {
    const store = memoryStore();
    const theirs = makeEvent({ code: "order_placed", endpoints: ["elsewhere"], body });
    await store.insertEvents([theirs]);
    const id = theirs.deliveries[0]!.id;
    // The store's first claim hands over a row the worker did not ask for (as one that ignores
    // the filter would).
    const realClaim = store.claimDue.bind(store);
    const claims = vi
      .spyOn(store, "claimDue")
      .mockImplementationOnce((o) => realClaim({ ...o, endpointIds: ["elsewhere"] }));
    const release = vi.spyOn(store, "release");
    const { hooks, receiver } = setup(store);
    running = hooks;
    const events = vi.fn();
    hooks.on("delivery.failed", events);
    hooks.on("delivery.cancelled", events);
    hooks.on("delivery.retry_scheduled", events);
    await hooks.start();
    await vi.waitFor(() => expect(release).toHaveBeenCalled());
    expect(release.mock.calls[0]?.[0].map((c) => c.deliveryId)).toEqual([id]);
    expect(await store.getDelivery(id)).toMatchObject({ status: "pending", attempts: 0, attemptLog: [] });
    // Later claims ask for the configured endpoints only, and the row stays where it is.
    await vi.waitFor(() => expect(claims.mock.calls.length).toBeGreaterThan(2));
    expect(await store.getDelivery(id)).toMatchObject({ status: "pending", attempts: 0 });
    expect(receiver.requests).toEqual([]);
    expect(events).not.toHaveBeenCalled();
  });
});
