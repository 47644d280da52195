import { describe, expect, it, vi } from "vitest";
import type { DeliveryOutcome, Transport } from "../contracts/transport.js";
import { createHookline } from "../hookline.js";
import { memoryStore } from "../memory/memory-store.js";
import { memoryTransport } from "../memory/memory-transport.js";
import { fakeClock } from "../testing/fake-clock.js";
import { makeEvent } from "../testing/fixtures.js";
import { memoryReceiver } from "../testing/receiver.js";
import { SECRET, shopHooks, shopPlugin } from "./helpers.js";

const order = { orderId: "o-1", total: 10 };
const S = 1000;
const M = 60 * S;

/** A transport whose sends wait until released, to hold a lease open. */
function gatedTransport() {
  const gates: ((o: DeliveryOutcome) => void)[] = [];
  const transport: Transport = {
    name: "gated",
    send: (_req, { signal }) =>
      new Promise((resolve) => {
        gates.push(resolve);
        signal.addEventListener("abort", () =>
          resolve({
            kind: "retryable",
            durationMs: 0,
            error: { code: "HOOKLINE_ABORTED", message: "aborted" },
          }),
        );
      }),
  };
  return { transport, gates };
}

describe("worker", () => {
  it("walks the retry schedule on the clock: 5 s, then 5 min, then succeeds", async () => {
    const clock = fakeClock();
    const { hooks, receiver, store } = shopHooks({ clock, retry: { jitter: 0 } });
    receiver.on("/a", [{ status: 500 }, { status: 503 }, { status: 200 }]);
    await hooks.start();
    const t0 = clock.now().getTime();
    const r = await hooks.emit("order_placed", order, { wait: "attempted" });
    const id = r.deliveries[0]!.id;
    const detail = () => store.getDelivery(id);
    expect(await detail()).toMatchObject({ status: "pending", attempts: 1, lastStatus: 500 });
    expect((await detail())?.nextAttemptAt?.getTime()).toBe(t0 + 5 * S);
    await clock.advance(5 * S - 10);
    expect(receiver.requests).toHaveLength(1);
    await clock.advance(10);
    await vi.waitFor(async () => expect((await detail())?.attempts).toBe(2));
    await vi.waitFor(async () => expect((await detail())?.status).toBe("pending"));
    expect((await detail())?.nextAttemptAt?.getTime()).toBe(t0 + 5 * S + 5 * M);
    await clock.advance(5 * M);
    await vi.waitFor(async () => expect((await detail())?.status).toBe("succeeded"));
    const log = (await detail())!.attemptLog;
    expect(log.map((a) => [a.attempt, a.responseStatus, a.startedAt.getTime() - t0])).toEqual([
      [1, 500, 0],
      [2, 503, 5 * S],
      [3, 200, 5 * S + 5 * M],
    ]);
    // Each attempt is signed afresh; webhook-id never changes.
    expect(new Set(receiver.requests.map((q) => q.headers["webhook-id"]))).toEqual(new Set([r.eventId]));
    expect(receiver.requests.map((q) => Number(q.headers["webhook-timestamp"]) - t0 / 1000)).toEqual([
      0, 5, 305,
    ]);
    await hooks.stop();
  });

  it("fails the delivery when the schedule is exhausted and fires delivery.failed", async () => {
    const clock = fakeClock();
    const { hooks, receiver, store } = shopHooks({ clock, retry: { schedule: [S, S], jitter: 0 } });
    receiver.on("/a", { status: 500 });
    const failed = vi.fn();
    hooks.on("delivery.failed", failed);
    await hooks.start();
    const r = await hooks.emit("order_placed", order, { wait: "attempted" });
    await clock.advance(S);
    // Wait until attempt 2 is recorded (its retry scheduled) before moving the clock again.
    await vi.waitFor(async () =>
      expect(await store.getDelivery(r.deliveries[0]!.id)).toMatchObject({ attempts: 2, status: "pending" }),
    );
    await clock.advance(S);
    await vi.waitFor(() => expect(failed).toHaveBeenCalledTimes(1));
    expect(await store.getDelivery(r.deliveries[0]!.id)).toMatchObject({ status: "failed", attempts: 3 });
    expect(receiver.requests).toHaveLength(3);
    await hooks.stop();
  });

  it("re-sends a delivery whose emitter died (lease expired), and fences the zombie's late result", async () => {
    const clock = fakeClock();
    const store = memoryStore({ clock });
    const receiver = memoryReceiver();
    const endpoints = [{ id: "a", url: `${receiver.baseUrl}/a`, events: "*" as const, secret: SECRET }];
    const gated = gatedTransport();
    const zombie = createHookline({
      plugins: [shopPlugin()],
      endpoints,
      store,
      transport: gated.transport,
      clock,
      worker: { enabled: false, leaseMs: 30 * S },
    });
    const zombieEvents = vi.fn();
    zombie.on("delivery.failed", zombieEvents);
    zombie.on("delivery.succeeded", zombieEvents);
    const r = await zombie.emit("order_placed", order);
    const id = r.deliveries[0]!.id;
    await vi.waitFor(() => expect(gated.gates).toHaveLength(1));
    const rescuer = createHookline({
      plugins: [shopPlugin()],
      endpoints,
      store,
      transport: memoryTransport({ receiver }),
      clock,
      worker: { pollIntervalMs: S },
    });
    await rescuer.start();
    await clock.advance(29 * S);
    expect(receiver.requests).toHaveLength(0);
    await clock.advance(2 * S);
    await vi.waitFor(async () => expect((await store.getDelivery(id))?.status).toBe("succeeded"));
    const stale: string[] = [];
    const complete = store.complete.bind(store);
    store.complete = async (results) => {
      const report = await complete(results);
      stale.push(...report.stale);
      return report;
    };
    gated.gates[0]!({ kind: "retryable", durationMs: 5, status: 500 });
    // The zombie's late result reached the store and was refused there.
    await vi.waitFor(() => expect(stale).toEqual([id]));
    const d = await store.getDelivery(id);
    expect(d).toMatchObject({ status: "succeeded", attempts: 2, lastStatus: 200 });
    expect(d?.attemptLog.map((a) => a.attempt)).toEqual([2]);
    expect(zombieEvents).not.toHaveBeenCalled();
    await rescuer.stop();
  });

  it("backs off while the store is unavailable, reports errors, then recovers", async () => {
    const clock = fakeClock();
    const { hooks, receiver, store, ctl } = shopHooks({
      clock,
      worker: { backoffMinMs: 1000, pollIntervalMs: 500 },
    });
    const ev = makeEvent({
      code: "order_placed",
      endpoints: ["a"],
      body: '{"orderId":"x","total":1,"eventCode":"order_placed"}',
    });
    await store.insertEvents([ev]);
    ctl.failClaims = 3;
    const errors = vi.fn();
    hooks.on("error", errors);
    await hooks.start();
    await vi.waitFor(() => expect(errors).toHaveBeenCalledTimes(1));
    await clock.advance(1300); // first back-off: 1 s ± 20 %
    await vi.waitFor(() => expect(errors).toHaveBeenCalledTimes(2));
    await clock.advance(500);
    expect(errors).toHaveBeenCalledTimes(2); // second back-off is ~2 s
    await clock.advance(2000);
    await vi.waitFor(() => expect(errors).toHaveBeenCalledTimes(3));
    await clock.advance(5000);
    await vi.waitFor(async () =>
      expect((await store.getDelivery(ev.deliveries[0]!.id))?.status).toBe("succeeded"),
    );
    expect(receiver.requests).toHaveLength(1);
    expect(errors.mock.calls[0]![0].context).toMatch(/claiming due deliveries/);
    await hooks.stop();
  });

  it("disables an endpoint that answers 410, cancels its pending deliveries, and stops routing to it", async () => {
    const { hooks, receiver, store } = shopHooks({ worker: { enabled: false } });
    receiver.on("/a", { status: 410 });
    const disabled = vi.fn();
    hooks.on("endpoint.disabled", disabled);
    await hooks.start();
    const queued = makeEvent({ code: "order_placed", endpoints: ["a"] });
    await store.insertEvents([queued]);
    const r = await hooks.emit("order_placed", order, { wait: "attempted" });
    expect(r.attempts?.[0]?.next).toEqual({ status: "failed" });
    expect(disabled).toHaveBeenCalledWith({ endpointId: "a", reason: "receiver answered 410 Gone" });
    expect((await store.getEndpointStates())[0]).toMatchObject({ endpointId: "a", disabled: true });
    expect((await store.getDelivery(queued.deliveries[0]!.id))?.status).toBe("cancelled");
    const sentBefore = receiver.requests.length;
    const later = await hooks.emit("order_shipped", { orderId: "o", carriers: [] }, { wait: "attempted" });
    const toA = later.deliveries.find((d) => d.endpointId === "a")!;
    // The disabled endpoint still gets its row, cancelled and replayable, but nothing is sent to it.
    expect((await store.getDelivery(toA.id))?.status).toBe("cancelled");
    expect(receiver.requests.slice(sentBefore).map((q) => q.path)).toEqual(["/b"]);
    await hooks.enableEndpoint("a");
    const again = await hooks.emit("order_placed", order);
    expect(again.deliveries.map((d) => d.endpointId)).toEqual(["a"]);
    await hooks.stop();
  });

  it("stop() drains in-flight attempts, aborts those past the grace period, and records them", async () => {
    const store = memoryStore();
    const receiver = memoryReceiver();
    receiver.on("/quick", { delayMs: 30 });
    receiver.on("/stuck", { delayMs: 5_000 });
    const hooks = createHookline({
      plugins: [shopPlugin()],
      endpoints: [
        { id: "quick", url: `${receiver.baseUrl}/quick`, events: "*", secret: SECRET },
        { id: "stuck", url: `${receiver.baseUrl}/stuck`, events: "*", secret: SECRET },
      ],
      store,
      transport: memoryTransport({ receiver }),
      worker: { stopGraceMs: 200 },
    });
    await hooks.start();
    const r = await hooks.emit("order_placed", order);
    const t0 = Date.now();
    await hooks.stop();
    expect(Date.now() - t0).toBeLessThan(2_000);
    const byEp = Object.fromEntries(
      await Promise.all(
        r.deliveries.map(async (d) => [d.endpointId, await store.getDelivery(d.id)] as const),
      ),
    );
    expect(byEp.quick).toMatchObject({ status: "succeeded" });
    expect(byEp.stuck).toMatchObject({ status: "pending", lastErrorCode: "HOOKLINE_ABORTED" });
  });

  it("a nudge while every slot is busy is not lost: the due delivery is claimed once the slot frees, not at the next poll", async () => {
    const { transport, gates } = gatedTransport();
    const { hooks, store } = shopHooks({
      transport,
      worker: { maxInFlight: 1, pollIntervalMs: 60_000 },
    });
    await hooks.start();
    const first = await hooks.emit("order_placed", order);
    await vi.waitFor(() => expect(gates).toHaveLength(1));
    const due = makeEvent({ code: "order_placed", endpoints: ["a"] });
    await store.insertEvents([due]);
    // Each replay nudges the worker: the first finds no free slot and waits for one, the second
    // comes while it waits.
    await hooks.replay([]);
    await hooks.replay([]);
    await new Promise((r) => setTimeout(r, 50));
    expect(gates).toHaveLength(1);
    gates[0]!({ kind: "success", status: 200, durationMs: 1 });
    await vi.waitFor(() => expect(gates).toHaveLength(2), { timeout: 2_000 });
    gates[1]!({ kind: "success", status: 200, durationMs: 1 });
    await vi.waitFor(async () =>
      expect((await store.getDelivery(due.deliveries[0]!.id))?.status).toBe("succeeded"),
    );
    expect((await store.getDelivery(first.deliveries[0]!.id))?.status).toBe("succeeded");
    await hooks.stop();
  });

  it("releases claims that come back after stop() was called", async () => {
    const { hooks, store } = shopHooks({ worker: { pollIntervalMs: 10 } });
    const ev = makeEvent({ code: "order_placed", endpoints: ["a"] });
    await store.insertEvents([ev]);
    const realClaim = store.claimDue.bind(store);
    let stopping: Promise<void> | undefined;
    store.claimDue = async (o) => {
      stopping ??= hooks.stop();
      return realClaim(o);
    };
    await hooks.start();
    await vi.waitFor(() => expect(stopping).toBeDefined());
    await stopping;
    expect(await store.getDelivery(ev.deliveries[0]!.id)).toMatchObject({ status: "pending", attempts: 0 });
  });
});

describe("auto-disable", () => {
  it("disables an endpoint after autoDisableAfterMs of continuous failure, not before", async () => {
    const clock = fakeClock();
    const H = 3_600_000;
    const { hooks, receiver, store } = shopHooks({
      clock,
      retry: { schedule: Array.from({ length: 200 }, () => H), jitter: 0 },
      worker: { autoDisableAfterMs: 24 * H, healthCheckMs: H, endpointRefreshMs: H, pollIntervalMs: 60_000 },
    });
    receiver.on("/a", { status: 500 });
    const disabled = vi.fn();
    hooks.on("endpoint.disabled", disabled);
    await hooks.start();
    const r = await hooks.emit("order_placed", order, { wait: "attempted" });
    for (let h = 1; h <= 23; h++) {
      await clock.advance(H);
      await vi.waitFor(async () =>
        expect(await store.getDelivery(r.deliveries[0]!.id)).toMatchObject({
          attempts: h + 1,
          status: "pending",
        }),
      );
    }
    expect(disabled).not.toHaveBeenCalled();
    await clock.advance(2 * H);
    await vi.waitFor(() => expect(disabled).toHaveBeenCalledTimes(1));
    expect(disabled.mock.calls[0]![0]).toMatchObject({
      endpointId: "a",
      reason: expect.stringMatching(/every attempt failed for 1\.0 days/),
    });
    expect((await store.getEndpointStates()).find((s) => s.endpointId === "a")?.disabled).toBe(true);
    await hooks.stop();
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
});
