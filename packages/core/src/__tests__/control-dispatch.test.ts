import { describe, expect, it, vi } from "vitest";
import { controlHooks, endpoint } from "./control-fixtures.js";

// A poll interval no test waits for: whatever is sent by the worker was woken, not polled.
const NO_POLL = { pollIntervalMs: 60_000 };

describe("emit(): ordering and supersede flags on each delivery", () => {
  it("ordered only for an endpoint ordering by subject and an event with a subject", async () => {
    const { hooks, deliveryOf } = controlHooks((u) => [
      endpoint(u, "ord", { ordering: "subject" }),
      endpoint(u, "plain"),
    ]);
    const withSubject = await hooks.emit("note_added", { id: "s1" });
    const without = await hooks.emit("pinged", { n: 1 });
    expect(deliveryOf(withSubject.eventId, "ord")?.ordered).toBe(true);
    expect(deliveryOf(withSubject.eventId, "plain")?.ordered).toBeUndefined();
    expect(deliveryOf(without.eventId, "ord")?.ordered).toBeUndefined();
  });

  it("supersede only for an event defined with it, to an endpoint that takes part, with a subject", async () => {
    const { hooks, deliveryOf } = controlHooks((u) => [
      endpoint(u, "in"),
      endpoint(u, "out", { supersede: false }),
    ]);
    const state = await hooks.emit("state_changed", { id: "s1", v: 1 });
    const note = await hooks.emit("note_added", { id: "s1" });
    expect(deliveryOf(state.eventId, "in")?.supersede).toBe(true);
    expect(deliveryOf(state.eventId, "out")?.supersede).toBeUndefined();
    expect(deliveryOf(note.eventId, "in")?.supersede).toBeUndefined();
  });

  it("keeps the flags on a delivery stored cancelled for a disabled endpoint, so a replay keeps its place", async () => {
    const { hooks, deliveryOf } = controlHooks((u) => [endpoint(u, "ord", { ordering: "subject" })]);
    await hooks.disableEndpoint("ord", "maintenance");
    const r = await hooks.emit("state_changed", { id: "s1", v: 1 });
    expect(deliveryOf(r.eventId, "ord")).toMatchObject({ cancelled: true, ordered: true, supersede: true });
  });
});

describe("emit(): what it sends itself", () => {
  it("never pre-claims for a rate-limited or capped endpoint: the worker, woken by emit(), sends those", async () => {
    const { hooks, receiver, deliveryOf, paths, workerAsleep } = controlHooks(
      (u) => [
        endpoint(u, "rl", { rateLimit: { perSecond: 1, burst: 100 } }),
        endpoint(u, "mc", { maxConcurrent: 2 }),
        endpoint(u, "free"),
      ],
      { worker: NO_POLL },
    );
    await hooks.start();
    try {
      await workerAsleep();
      const r = await hooks.emit("pinged", { n: 1 }, { wait: "attempted" });
      expect(r.attempts?.map((a) => a.endpointId)).toEqual(["free"]);
      expect(deliveryOf(r.eventId, "free")?.claim).toBeDefined();
      expect(deliveryOf(r.eventId, "rl")?.claim).toBeUndefined();
      expect(deliveryOf(r.eventId, "mc")?.claim).toBeUndefined();
      await receiver.waitFor(3, { timeoutMs: 5_000 });
      expect(paths().sort()).toEqual(["/free", "/mc", "/rl"]);
    } finally {
      await hooks.stop();
    }
  });

  it("does not send what the store inserted unclaimed, gives its reserved place back, and wakes the worker", async () => {
    const { hooks, receiver, ctl, deliveryOf, paths } = controlHooks((u) => [endpoint(u, "a")], {
      // One place in all: a place kept by the held-back delivery would leave the next emit none.
      worker: { ...NO_POLL, maxInFlight: 1, maxQueued: 0 },
    });
    const accepted: string[][] = [];
    hooks.on("event.accepted", (e) => accepted.push(e.deliveryIds));
    ctl.demote = (_d, ev) => ev.body.includes('"n":1');
    const held = await hooks.emit("pinged", { n: 1 }, { wait: "attempted" });
    expect(held.attempts).toEqual([]);
    expect(await hooks.store.getDelivery(held.deliveries[0]!.id)).toMatchObject({
      status: "pending",
      attempts: 0,
    });
    expect(accepted).toEqual([[held.deliveries[0]!.id]]);
    const next = await hooks.emit("pinged", { n: 2 }, { wait: "attempted" });
    expect(deliveryOf(next.eventId, "a")?.claim).toBeDefined();
    expect(next.attempts).toMatchObject([{ recorded: true, next: { status: "succeeded" } }]);
    expect(receiver.requests.map((r) => JSON.parse(r.body).n)).toEqual([2]);
    // The worker picks the held one up as soon as it runs; nothing was lost.
    await hooks.start();
    try {
      await receiver.waitFor(2, { timeoutMs: 5_000 });
      expect(paths()).toEqual(["/a", "/a"]);
    } finally {
      await hooks.stop();
    }
  });

  it("wakes a sleeping worker when the store held a delivery back", async () => {
    const { hooks, receiver, ctl, workerAsleep } = controlHooks((u) => [endpoint(u, "a")], {
      worker: NO_POLL,
    });
    await hooks.start();
    try {
      await workerAsleep();
      ctl.demote = () => true;
      await hooks.emit("pinged", { n: 1 });
      await receiver.waitFor(1, { timeoutMs: 5_000 });
    } finally {
      await hooks.stop();
    }
  });

  it("parallel mode: only an unordered delivery to an endpoint without a breaker starts with its insert; ordered ones and breaker endpoints wait for it", async () => {
    const { hooks, receiver, spy } = controlHooks(
      (u) => [
        endpoint(u, "ord", { ordering: "subject", circuitBreaker: false }),
        endpoint(u, "guarded"),
        endpoint(u, "plain", { circuitBreaker: false }),
      ],
      { mode: "parallel" },
    );
    spy.ctl.insertDelayMs = 50;
    for (const path of ["/ord", "/guarded", "/plain"])
      receiver.on(path, () => {
        spy.log.push(`send${path}`);
        return {};
      });
    const r = await hooks.emit("note_added", { id: "s1" }, { wait: "attempted" });
    expect(r.attempts).toHaveLength(3);
    const at = (entry: string) => spy.log.indexOf(entry);
    expect(at("send/plain")).toBeLessThan(at("insert:done"));
    expect(at("insert:done")).toBeLessThan(at("send/ord"));
    expect(at("insert:done")).toBeLessThan(at("send/guarded"));
  });

  it("parallel mode: an ordered delivery the store holds back is not sent", async () => {
    const { hooks, ctl } = controlHooks(
      (u) => [endpoint(u, "ord", { ordering: "subject" }), endpoint(u, "plain")],
      { mode: "parallel" },
    );
    ctl.demote = (d) => d.endpointId === "ord";
    const r = await hooks.emit("note_added", { id: "s1" }, { wait: "attempted" });
    expect(r.attempts?.map((a) => a.endpointId)).toEqual(["plain"]);
    const ord = r.deliveries.find((d) => d.endpointId === "ord")!;
    await vi.waitFor(async () =>
      expect(await hooks.store.getDelivery(ord.id)).toMatchObject({ status: "pending", attempts: 0 }),
    );
  });
});
