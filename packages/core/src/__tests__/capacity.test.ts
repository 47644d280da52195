import { describe, expect, it, vi } from "vitest";
import { SLOW_SEND_MS } from "../dispatch/emit-room.js";
import { fakeClock } from "../testing/fake-clock.js";
import { shopHooks } from "./helpers.js";

describe("in-flight capacity (worker.maxInFlight, worker.maxQueued)", () => {
  it("a burst of concurrent emits waits for room while sends are quick: memory stays bounded and this process sends them all", async () => {
    const { hooks, receiver, batches } = shopHooks({
      worker: { maxInFlight: 2, maxQueued: 3, enabled: false },
    });
    receiver.on("/a", { delayMs: 30 });
    let succeeded = 0;
    hooks.on("delivery.succeeded", () => void succeeded++);
    // Claimed deliveries stored so far, less those recorded: what this process holds. A finished
    // send waiting for its write is held too, at most maxInFlight of them.
    const held: number[] = [];
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        hooks.emit("order_placed", { orderId: `o${i}`, total: i }).then((r) => {
          const claimed = batches.flat().flatMap((e) => e.deliveries.filter((d) => d.claim)).length;
          held.push(claimed - succeeded);
          return r;
        }),
      ),
    );
    expect(Math.max(...held)).toBeLessThanOrEqual(2 + 3 + 2);
    // No row went in unclaimed: with the worker off, each was sent from memory.
    expect(batches.flat().every((e) => e.deliveries.every((d) => d.claim))).toBe(true);
    await vi.waitFor(() => expect(succeeded).toBe(50), { timeout: 5000 });
    expect(new Set(results.map((r) => r.eventId)).size).toBe(50);
    await hooks.stop();
  });

  it("an emit to several endpoints waits for room for all of them: none of its deliveries goes in unclaimed", async () => {
    const { hooks, receiver, batches } = shopHooks({
      worker: { maxInFlight: 2, maxQueued: 3, enabled: false },
    });
    receiver.on("/a", { delayMs: 30 });
    receiver.on("/b", { delayMs: 30 });
    let succeeded = 0;
    hooks.on("delivery.succeeded", () => void succeeded++);
    // order_shipped goes to both endpoints: two places per emit.
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => hooks.emit("order_shipped", { orderId: `o${i}`, carriers: [] })),
    );
    const deliveries = batches.flat().flatMap((e) => e.deliveries);
    expect(deliveries).toHaveLength(40);
    // With the worker off, an unclaimed one would never be sent.
    expect(deliveries.filter((d) => !d.claim)).toEqual([]);
    await vi.waitFor(() => expect(succeeded).toBe(40), { timeout: 5000 });
    expect(receiver.requests).toHaveLength(40);
    await hooks.stop();
  });

  it("once the oldest send has run for SLOW_SEND_MS, emits stop waiting for room and store their deliveries unclaimed", async () => {
    const { hooks, receiver, store } = shopHooks({
      worker: { maxInFlight: 2, maxQueued: 3, enabled: false },
    });
    receiver.on("/a", { delayMs: SLOW_SEND_MS + 500 });
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => hooks.emit("order_placed", { orderId: `o${i}`, total: i })),
    );
    // Every emit was stored while the first sends were still running: none waited for them.
    expect(receiver.requests).toHaveLength(2);
    const statuses = await Promise.all(
      results.map(async (r) => (await store.getDelivery(r.deliveries[0]!.id))?.status),
    );
    expect(statuses.filter((s) => s === "sending")).toHaveLength(5);
    expect(statuses.filter((s) => s === "pending")).toHaveLength(7);
    await hooks.stop();
  });

  it("a slot is freed when the response arrives; results awaiting their write have their own bound", async () => {
    const { hooks, receiver, store } = shopHooks({
      worker: { maxInFlight: 2, maxQueued: 10, enabled: false },
    });
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const complete = store.complete.bind(store);
    store.complete = async (results) => {
      await gate;
      return complete(results);
    };
    const emits = Array.from({ length: 6 }, (_, i) =>
      hooks.emit("order_placed", { orderId: `o${i}`, total: i }),
    );
    await Promise.all(emits);
    // Two results wait for the blocked write and two more finished sends keep their slots until
    // there is room: four requests went out, the last two wait unsent.
    await vi.waitFor(() => expect(receiver.requests).toHaveLength(4));
    // Nothing signals "still waiting"; a short window shows no fifth request slips out.
    await new Promise((r) => setTimeout(r, 50));
    expect(receiver.requests).toHaveLength(4);
    open();
    const ids = (await Promise.all(emits)).map((r) => r.deliveries[0]!.id);
    await vi.waitFor(async () => {
      const statuses = await Promise.all(ids.map(async (id) => (await store.getDelivery(id))?.status));
      expect(statuses).toEqual(Array(6).fill("succeeded"));
    });
    expect(receiver.requests).toHaveLength(6);
    await hooks.stop();
  });

  it("a queued first attempt whose lease ran short while it waited for a slot is given back unsent", async () => {
    const clock = fakeClock();
    const leaseMs = 60_000;
    const { hooks, receiver, store } = shopHooks({
      clock,
      worker: { maxInFlight: 1, maxQueued: 3, leaseMs, enabled: false },
    });
    let answer!: () => void;
    const answered = new Promise<void>((r) => (answer = r));
    receiver.on("/a", async () => {
      await answered;
      return {};
    });
    const [first, second] = await Promise.all(
      [1, 2].map((i) => hooks.emit("order_placed", { orderId: `o${i}`, total: i })),
    );
    await receiver.waitFor(1);
    // The second waits behind the first for more than half of its lease.
    await clock.advance(leaseMs / 2 + 1);
    answer();
    await vi.waitFor(async () =>
      expect((await store.getDelivery(first!.deliveries[0]!.id))?.status).toBe("succeeded"),
    );
    // Released (pending, attempt un-counted) instead of sent with too little lease left.
    await vi.waitFor(async () =>
      expect(await store.getDelivery(second!.deliveries[0]!.id)).toMatchObject({
        status: "pending",
        attempts: 0,
      }),
    );
    expect(receiver.requests).toHaveLength(1);
    await hooks.stop();
    expect(receiver.requests).toHaveLength(1);
  });

  it("waiting for a slot leaves no abort listener behind", async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on("warning", onWarning);
    const { hooks, receiver, store } = shopHooks({
      worker: { maxInFlight: 1, maxQueued: 0, pollIntervalMs: 5 },
    });
    receiver.on("/a", { delayMs: 2 });
    await hooks.start();
    await Promise.all(
      Array.from({ length: 40 }, (_, i) => hooks.emit("order_placed", { orderId: `o${i}`, total: i })),
    );
    await vi.waitFor(
      async () =>
        expect((await store.listDeliveries({ status: ["succeeded"] }, { limit: 100 })).items).toHaveLength(
          40,
        ),
      { timeout: 5000 },
    );
    await hooks.stop();
    process.off("warning", onWarning);
    expect(warnings).not.toContain("MaxListenersExceededWarning");
  });
});
