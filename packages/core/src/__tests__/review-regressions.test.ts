import { describe, expect, it, vi } from "vitest";
import type { Transport } from "../contracts/transport.js";
import { defineEvent } from "../events/define-event.js";
import { definePlugin } from "../events/plugin.js";
import { createHookline } from "../hookline.js";
import { memoryStore } from "../memory/memory-store.js";
import { memoryTransport } from "../memory/memory-transport.js";
import { fakeClock } from "../testing/fake-clock.js";
import { memoryReceiver } from "../testing/receiver.js";
import { orderPlaced, SECRET, schema, shopHooks, shopPlugin } from "./helpers.js";

const order = { orderId: "o-1", total: 10 };

describe("regressions from the delivery-path review", () => {
  it("a burst of concurrent emits never holds more than maxInFlight + maxQueued in memory", async () => {
    const { hooks, receiver, store } = shopHooks({
      worker: { maxInFlight: 2, maxQueued: 3, enabled: false },
    });
    receiver.on("/a", { delayMs: 30 });
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => hooks.emit("order_placed", { orderId: `o${i}`, total: i })),
    );
    const statuses = await Promise.all(
      results.map(async (r) => (await store.getDelivery(r.deliveries[0]!.id))?.status),
    );
    const inMemory = statuses.filter((s) => s === "sending").length;
    expect(inMemory).toBeLessThanOrEqual(5);
    expect(statuses.filter((s) => s === "pending").length).toBeGreaterThanOrEqual(45);
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

  it("a queued job whose lease ran short is given back unsent, not sent twice", async () => {
    const { hooks, receiver, store } = shopHooks({
      worker: { maxInFlight: 1, maxQueued: 3, leaseMs: 400, enabled: false },
    });
    receiver.on("/a", { delayMs: 300 });
    const [first, second] = await Promise.all(
      [1, 2].map((i) => hooks.emit("order_placed", { orderId: `o${i}`, total: i })),
    );
    await vi.waitFor(async () =>
      expect((await store.getDelivery(first!.deliveries[0]!.id))?.status).toBe("succeeded"),
    );
    // The second waited ~300 ms of its 400 ms lease: released (pending, attempt un-counted) instead of sent.
    expect(await store.getDelivery(second!.deliveries[0]!.id)).toMatchObject({
      status: "pending",
      attempts: 0,
    });
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

  it("an emit still validating when stop() runs is refused, and stop() waits for it", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow = defineEvent({
      code: "slow_event",
      description: "validates asynchronously",
      schema: {
        "~standard": {
          version: 1,
          vendor: "t",
          validate: async (v: unknown) => (await gate, { value: v as { n: number } }),
        },
      },
    });
    const receiver = memoryReceiver();
    const hooks = createHookline({
      plugins: [definePlugin({ name: "slow", events: [slow] as const })],
      endpoints: [{ id: "a", url: `${receiver.baseUrl}/a`, events: "*", secret: SECRET }],
      store: memoryStore(),
      transport: memoryTransport({ receiver }),
    });
    const pending = hooks.emit("slow_event", { n: 1 });
    const stopping = hooks.stop();
    release();
    await expect(pending).rejects.toMatchObject({ code: "HOOKLINE_NOT_RUNNING" });
    await stopping;
    expect(receiver.requests).toEqual([]);
  });

  it("an attempt aborted by stop() is due again, never failed, even on its last step", async () => {
    const store = memoryStore();
    const receiver = memoryReceiver();
    receiver.on("/slow", { delayMs: 2_000 });
    const hooks = createHookline({
      plugins: [shopPlugin()],
      endpoints: [
        { id: "slow", url: `${receiver.baseUrl}/slow`, events: "*", secret: SECRET, retrySchedule: [] },
      ],
      store,
      transport: memoryTransport({ receiver }),
      worker: { stopGraceMs: 50 },
    });
    const r = await hooks.emit("order_placed", order);
    await hooks.stop();
    expect(await store.getDelivery(r.deliveries[0]!.id)).toMatchObject({
      status: "pending",
      lastErrorCode: "HOOKLINE_ABORTED",
    });
  });

  it("rejects a subject the stores cannot index, without failing the emits batched with it", async () => {
    const long = defineEvent({
      code: "long_subject",
      description: "d",
      schema: schema({ s: "string" }),
      subject: (p) => p.s,
    });
    const receiver = memoryReceiver();
    const hooks = createHookline({
      plugins: [definePlugin({ name: "x", events: [long, orderPlaced] as const })],
      endpoints: [],
      store: memoryStore(),
      transport: memoryTransport({ receiver }),
    });
    const [bad, good] = await Promise.allSettled([
      hooks.emit("long_subject", { s: "x".repeat(256) }),
      hooks.emit("order_placed", order),
    ]);
    expect(bad).toMatchObject({ status: "rejected", reason: { code: "HOOKLINE_INVALID_PAYLOAD" } });
    expect(good.status).toBe("fulfilled");
  });

  it("a re-enabled endpoint is not auto-disabled again for failures from before the re-enable", async () => {
    const clock = fakeClock();
    const H = 3_600_000;
    const { hooks, receiver, store } = shopHooks({
      clock,
      retry: { schedule: Array.from({ length: 100 }, () => H), jitter: 0 },
      worker: { autoDisableAfterMs: 3 * H, healthCheckMs: H, endpointRefreshMs: H, pollIntervalMs: 60_000 },
    });
    receiver.on("/a", { status: 500 });
    const disabled = vi.fn();
    hooks.on("endpoint.disabled", disabled);
    await hooks.start();
    await hooks.emit("order_placed", order, { wait: "attempted" });
    for (let h = 0; h < 5; h++) await clock.advance(H);
    await vi.waitFor(() => expect(disabled).toHaveBeenCalledTimes(1));
    await hooks.enableEndpoint("a");
    await clock.advance(2 * H);
    expect(disabled).toHaveBeenCalledTimes(1);
    expect((await store.getEndpointStates()).find((s) => s.endpointId === "a")?.disabled).toBe(false);
    await hooks.stop();
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

  it("a throwing listener neither crashes delivery nor rejects an emit that was stored", async () => {
    const errors: string[] = [];
    const logger = { debug() {}, info() {}, warn() {}, error: (m: string) => errors.push(m) };
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

  it("refuses a lease shorter than twice an endpoint's deadline", () => {
    const transport: Transport = { name: "t", send: async () => ({ kind: "success", durationMs: 0 }) };
    expect(() =>
      createHookline({
        plugins: [shopPlugin()],
        endpoints: [{ id: "a", url: "https://a.example/h", events: "*", secret: SECRET, timeoutMs: 70_000 }],
        store: memoryStore(),
        transport,
      }),
    ).toThrow(/worker\.leaseMs: expected at least twice the longest endpoint timeoutMs \(70000 ms\)/);
  });
});
