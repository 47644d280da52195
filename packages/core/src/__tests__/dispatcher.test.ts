import { describe, expect, it, vi } from "vitest";
import type { Transport } from "../contracts/transport.js";
import { container, TOKENS } from "../di/tokens.js";
import { SLOW_SEND_MS } from "../dispatch/emit-room.js";
import { createHookline } from "../hookline.js";
import { memoryStore } from "../memory/memory-store.js";
import { memoryTransport } from "../memory/memory-transport.js";
import { memoryReceiver } from "../testing/receiver.js";
import { SECRET, shopHooks, shopPlugin } from "./helpers.js";

const order = { orderId: "o-1", total: 10 };

describe("dispatcher", () => {
  it("durable: the insert commits before the request goes out; the first attempt is pre-claimed", async () => {
    const { hooks, receiver, log, ctl } = shopHooks();
    ctl.insertDelayMs = 30;
    receiver.on("/a", () => {
      log.push("send");
      return {};
    });
    const r = await hooks.emit("order_placed", order);
    expect((await hooks.store.getDelivery(r.deliveries[0]!.id))?.attempts).toBe(1);
    await receiver.waitFor(1);
    expect(log).toEqual(["insert:start", "insert:done", "send"]);
    await vi.waitFor(async () =>
      expect((await hooks.store.getDelivery(r.deliveries[0]!.id))?.status).toBe("succeeded"),
    );
  });

  it("parallel: the request starts with the insert, and the result is recorded after both", async () => {
    // Without a breaker: a breaker's circuit may be open in the store, so its deliveries wait for the insert.
    const { hooks, receiver, log, ctl } = shopHooks({
      mode: "parallel",
      endpoints: [
        { id: "a", url: "http://receiver.test/a", events: "*", secret: SECRET, circuitBreaker: false },
      ],
    });
    ctl.insertDelayMs = 50;
    receiver.on("/a", () => {
      log.push("send");
      return {};
    });
    const r = await hooks.emit("order_placed", order, { wait: "attempted" });
    expect(log.indexOf("send")).toBeLessThan(log.indexOf("insert:done"));
    expect(r.attempts?.[0]).toMatchObject({ recorded: true, next: { status: "succeeded" } });
    expect((await hooks.store.getDelivery(r.deliveries[0]!.id))?.status).toBe("succeeded");
  });

  it("micro-batches concurrent emits into a few store writes", async () => {
    const { hooks, batches } = shopHooks();
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => hooks.emit("order_placed", { orderId: `o${i}`, total: i })),
    );
    expect(new Set(results.map((r) => r.eventId)).size).toBe(200);
    expect(batches.flat()).toHaveLength(200);
    expect(batches.length).toBeLessThanOrEqual(4);
  });

  it("retries a failed insert (p-retry) and still delivers exactly once", async () => {
    const { hooks, receiver, ctl } = shopHooks();
    ctl.failInserts = 2;
    await hooks.emit("order_placed", order, { wait: "attempted" });
    expect(receiver.requests).toHaveLength(1);
    ctl.failInserts = 10;
    await expect(hooks.emit("order_placed", order)).rejects.toMatchObject({ code: "HOOKLINE_STORE_ERROR" });
    expect(receiver.requests).toHaveLength(1);
  });

  it("an insert whose commit succeeded but whose answer was lost still resolves the emit, sent once", async () => {
    const { hooks, receiver, store } = shopHooks();
    const realInsert = store.insertEvents.bind(store);
    let lost = false;
    store.insertEvents = async (batch, opts) => {
      const report = await realInsert(batch, opts);
      if (!lost) {
        lost = true;
        throw new Error("connection lost after COMMIT");
      }
      return report;
    };
    const r = await hooks.emit("order_placed", order, { wait: "attempted" });
    expect(r.duplicate).toBe(false);
    expect(r.attempts?.[0]).toMatchObject({ recorded: true, next: { status: "succeeded" } });
    expect((await store.listEvents({}, { limit: 10 })).items).toHaveLength(1);
    expect(receiver.requests).toHaveLength(1);
  });

  it("routes each event to its subscribed endpoints only, and logs events nobody subscribes to", async () => {
    const { hooks, receiver } = shopHooks();
    const placed = await hooks.emit("order_placed", order, { wait: "attempted" });
    const shipped = await hooks.emit(
      "order_shipped",
      { orderId: "o-1", carriers: ["ups"] },
      { wait: "attempted" },
    );
    expect(placed.deliveries.map((d) => d.endpointId)).toEqual(["a"]);
    expect(shipped.deliveries.map((d) => d.endpointId).sort()).toEqual(["a", "b"]);
    expect(receiver.requests.map((r) => r.path).sort()).toEqual(["/a", "/a", "/b"]);
    const body = JSON.parse(receiver.requests.find((r) => r.path === "/b")!.body);
    expect(body).toEqual({ orderId: "o-1", carriers: ["ups"], eventCode: "order_shipped" });
    expect(receiver.requests[0]!.headers["webhook-id"]).toBe(placed.eventId);
    const { hooks: lonely } = shopHooks({ endpoints: [] });
    const r = await lonely.emit("order_placed", order);
    expect(r.deliveries).toEqual([]);
    expect((await lonely.store.getEvent(r.eventId))?.code).toBe("order_placed");
  });

  it("past maxInFlight, queues claimed first attempts in memory and sends them in order as slots free", async () => {
    const { hooks, receiver, store } = shopHooks({
      worker: { maxInFlight: 1, maxQueued: 5, enabled: false },
    });
    receiver.on("/a", { delayMs: 40 });
    const claims = vi.spyOn(store, "claimDue");
    const results = await Promise.all(
      [1, 2, 3].map((i) => hooks.emit("order_placed", { orderId: `o${i}`, total: i })),
    );
    for (const r of results)
      expect(await hooks.store.getDelivery(r.deliveries[0]!.id)).toMatchObject({
        status: "sending",
        attempts: 1,
      });
    await vi.waitFor(async () => {
      for (const r of results)
        expect((await hooks.store.getDelivery(r.deliveries[0]!.id))?.status).toBe("succeeded");
    });
    expect(receiver.requests.map((q) => JSON.parse(q.body).orderId)).toEqual(["o1", "o2", "o3"]);
    expect(claims).not.toHaveBeenCalled();
  });

  it("stop() gives queued, never-started claims back to the store", async () => {
    const { hooks, receiver, store } = shopHooks({
      worker: { maxInFlight: 1, maxQueued: 5, enabled: false },
    });
    receiver.on("/a", { delayMs: 100 });
    const [first, second] = await Promise.all(
      [1, 2].map((i) => hooks.emit("order_placed", { orderId: `o${i}`, total: i })),
    );
    await hooks.stop();
    expect(await store.getDelivery(first!.deliveries[0]!.id)).toMatchObject({ status: "succeeded" });
    expect(await store.getDelivery(second!.deliveries[0]!.id)).toMatchObject({
      status: "pending",
      attempts: 0,
    });
    expect(receiver.requests).toHaveLength(1);
  });

  it("past maxInFlight + maxQueued with a slow send, inserts deliveries unclaimed and lets the worker send them", async () => {
    const { hooks, receiver } = shopHooks({ worker: { maxInFlight: 1, maxQueued: 0, pollIntervalMs: 20 } });
    receiver.on("/a", { delayMs: SLOW_SEND_MS + 300 });
    await hooks.start();
    const first = await hooks.emit("order_placed", order);
    const second = await hooks.emit("order_placed", { orderId: "o-2", total: 2 });
    expect((await hooks.store.getDelivery(first.deliveries[0]!.id))?.status).toBe("sending");
    expect(await hooks.store.getDelivery(second.deliveries[0]!.id)).toMatchObject({
      status: "pending",
      attempts: 0,
    });
    await vi.waitFor(
      async () => expect((await hooks.store.getDelivery(second.deliveries[0]!.id))?.status).toBe("succeeded"),
      {
        timeout: 3000,
      },
    );
    await hooks.stop();
  });

  it("fires event.accepted and delivery.* lifecycle events", async () => {
    const { hooks, receiver } = shopHooks();
    receiver.on("/a", [{ status: 500 }, { status: 200 }]);
    const seen: string[] = [];
    hooks.on("event.accepted", (e) => seen.push(`accepted:${e.eventCode}`));
    hooks.on("delivery.retry_scheduled", (e) =>
      seen.push(`retry:${e.attempt}:${e.outcome.status}:${e.delayMs > 0}`),
    );
    hooks.on("delivery.succeeded", (e) => seen.push(`ok:${e.attempt}`));
    await hooks.emit("order_placed", order, { wait: "attempted" });
    expect(seen).toEqual(["accepted:order_placed", "retry:1:500:true"]);
  });

  it("rejects emits after stop() with HOOKLINE_NOT_RUNNING", async () => {
    const { hooks } = shopHooks();
    await hooks.start();
    await hooks.stop();
    await expect(hooks.emit("order_placed", order)).rejects.toMatchObject({ code: "HOOKLINE_NOT_RUNNING" });
  });

  it("a throwing listener neither crashes delivery nor rejects an emit that was stored", async () => {
    const errors: string[] = [];
    const logger = { debug() {}, info() {}, warn() {}, error: (_f: object, m: string) => errors.push(m) };
    const { hooks, store } = shopHooks({ logger, worker: { maxInFlight: 1, maxQueued: 5, enabled: false } });
    hooks.on("delivery.succeeded", () => {
      throw new Error("listener bug");
    });
    hooks.on("event.accepted", () => {
      throw new Error("listener bug");
    });
    const rs = await Promise.all(
      [1, 2].map((i) => hooks.emit("order_placed", { orderId: `o${i}`, total: i })),
    );
    for (const r of rs)
      await vi.waitFor(async () =>
        expect((await store.getDelivery(r.deliveries[0]!.id))?.status).toBe("succeeded"),
      );
    expect(errors.some((m) => m.includes('"delivery.succeeded" listener threw'))).toBe(true);
  });

  it("an attempt that throws outside the transport gives its claim back instead of waiting out the lease", async () => {
    const store = memoryStore();
    // An outcome whose fields throw when read: the retry policy trips over it, after send().
    const broken: Transport = {
      name: "broken",
      send: async () =>
        ({
          durationMs: 1,
          get kind(): never {
            throw new Error("broken outcome");
          },
        }) as never,
    };
    const hooks = createHookline({
      plugins: [shopPlugin()],
      endpoints: [{ id: "a", url: "http://127.0.0.1:9/a", events: "*", secret: SECRET }],
      store,
      transport: broken,
      worker: { enabled: false },
    });
    const contexts: string[] = [];
    hooks.on("error", ({ context }) => contexts.push(context));
    const r = await hooks.emit("order_placed", order, { wait: "attempted" });
    expect(r.attempts?.[0]).toMatchObject({ recorded: false, next: { status: "pending" } });
    expect(contexts).toEqual([`attempt 1 of ${r.deliveries[0]!.id}`]);
    expect(await store.getDelivery(r.deliveries[0]!.id)).toMatchObject({ status: "pending", attempts: 0 });
    await hooks.stop();
  });
});

describe("composition (tsyringe)", () => {
  it("uses adapters registered on a parent container and lets plugins register services", async () => {
    const parent = container.createChildContainer();
    const receiver = memoryReceiver();
    parent.register(TOKENS.Store, { useValue: memoryStore() });
    parent.register(TOKENS.Transport, { useValue: memoryTransport({ receiver }) });
    const registered: string[] = [];
    const plugin = {
      ...shopPlugin(),
      register: (c: typeof parent) => registered.push(String(c.isRegistered(TOKENS.Store, true))),
    };
    const hooks = createHookline({
      plugins: [plugin],
      endpoints: [{ id: "a", url: `${receiver.baseUrl}/a`, events: "*", secret: SECRET }],
      container: parent,
    });
    expect(registered).toEqual(["true"]);
    expect(hooks.store).toBe(parent.resolve(TOKENS.Store));
    expect(hooks.container.resolve(TOKENS.Config)).toMatchObject({ endpoints: [{ id: "a" }] });
    await hooks.emit("order_placed", order, { wait: "attempted" });
    expect(receiver.requests).toHaveLength(1);
  });

  it("fails fast, naming the option, when an adapter or setting is missing or wrong", () => {
    const base = { plugins: [shopPlugin()], endpoints: [] };
    expect(() => createHookline({ ...base, container: container.createChildContainer() })).toThrow(
      /store: expected an adapter/,
    );
    const store = memoryStore();
    const transport = memoryTransport({ receiver: memoryReceiver() });
    expect(() => createHookline({ ...base, store, transport, mode: "fast" as never })).toThrow(
      /mode: expected/,
    );
    expect(() => createHookline({ ...base, store, transport, worker: { leaseMs: 1 } })).toThrow(
      /worker\.leaseMs/,
    );
    expect(() => createHookline({ ...base, store, transport, maxBodyBytes: -1 })).toThrow(/maxBodyBytes/);
  });

  it("refuses a lease shorter than twice an endpoint's deadline", () => {
    const transport: Transport = { name: "t", send: async () => ({ kind: "success", durationMs: 0 }) };
    expect(() =>
      createHookline({
        plugins: [shopPlugin()],
        endpoints: [{ id: "a", url: "https://a.example/h", events: "*", secret: SECRET, timeoutMs: 70_000 }],
        store: memoryStore(),
        transport,
      }),
    ).toThrow(
      /worker\.leaseMs: expected at least twice the longest send deadline \(endpoint "a" timeoutMs: 70000 ms\), got 120000/,
    );
  });

  it("refuses a lease shorter than twice the deadline of a transport serving an endpoint without one", () => {
    const slow: Transport = {
      name: "slow",
      timeoutMs: 100_000,
      send: async () => ({ kind: "success", durationMs: 0 }),
    };
    const endpoints = [{ id: "a", url: "https://a.example/h", events: "*" as const, secret: SECRET }];
    const build = (leaseMs?: number, timeoutMs?: number) =>
      createHookline({
        plugins: [shopPlugin()],
        endpoints: [{ ...endpoints[0]!, ...(timeoutMs ? { timeoutMs } : {}) }],
        store: memoryStore(),
        transport: slow,
        ...(leaseMs ? { worker: { leaseMs } } : {}),
      });
    expect(build).toThrow(
      expect.objectContaining({
        code: "HOOKLINE_INVALID_OPTION",
        message: expect.stringContaining(
          'worker.leaseMs: expected at least twice the longest send deadline (timeoutMs of the transport serving endpoint "a": 100000 ms), got 120000',
        ),
        details: expect.objectContaining({ endpointId: "a", deadlineMs: 100_000, leaseMs: 120_000 }),
      }),
    );
    // A lease that covers it, or an endpoint deadline that replaces it, is accepted.
    expect(build(200_000)).toBeDefined();
    expect(build(undefined, 30_000)).toBeDefined();
  });
});
