import { describe, expect, it, vi } from "vitest";
import type { DeliveryStore } from "../contracts/store.js";
import type { DeliveryOutcome, Transport } from "../contracts/transport.js";
import { defineEvent } from "../events/define-event.js";
import { definePlugin } from "../events/plugin.js";
import { createHookline } from "../hookline.js";
import { memoryStore } from "../memory/memory-store.js";
import { memoryTransport } from "../memory/memory-transport.js";
import { fakeClock } from "../testing/fake-clock.js";
import { memoryReceiver } from "../testing/receiver.js";
import type { Logger } from "../util/logger.js";
import { SECRET, shopHooks, shopPlugin } from "./helpers.js";

const order = { orderId: "o-1", total: 10 };
const never = <T>() => new Promise<T>(() => {});

/** A transport whose sends wait until aborted (stop() past its grace period). */
function hangingTransport() {
  const sends: string[] = [];
  const transport: Transport = {
    name: "hanging",
    send: (req, { signal }) =>
      new Promise<DeliveryOutcome>((resolve) => {
        sends.push(req.deliveryId);
        signal.addEventListener("abort", () =>
          resolve({
            kind: "retryable",
            durationMs: 0,
            error: { code: "HOOKLINE_ABORTED", message: "aborted" },
          }),
        );
      }),
  };
  return { transport, sends };
}

function recordingLogger() {
  const errors: { msg: string; fields?: Record<string, unknown> }[] = [];
  const logger: Logger = {
    debug: () => {},
    info: () => {},
    warn: () => {},
    error: (fields, msg) => errors.push({ msg, fields }),
  };
  return { logger, errors };
}

const GRACE = 1_000;
const STORE_TIMEOUT = 2_000;

describe("stop() is bounded by stopGraceMs + stopStoreTimeoutMs", () => {
  it("rejects a negative or fractional worker.stopStoreTimeoutMs", () => {
    for (const bad of [-1, 1.5, "5000"]) {
      expect(() => shopHooks({ worker: { stopStoreTimeoutMs: bad as number } })).toThrow(
        /HOOKLINE_INVALID_OPTION: worker\.stopStoreTimeoutMs: expected an integer/,
      );
    }
  });

  it("while a claim never returns: aborts the send at the grace period, records it, and gives up on the claim", async () => {
    const clock = fakeClock();
    const { transport, sends } = hangingTransport();
    const { logger, errors: logged } = recordingLogger();
    const { hooks, store } = shopHooks({
      clock,
      transport,
      logger,
      worker: { stopGraceMs: GRACE, stopStoreTimeoutMs: STORE_TIMEOUT, pollIntervalMs: 60_000 },
    });
    let claims = 0;
    store.claimDue = () => {
      claims++;
      return never();
    };
    const events: { error: unknown; context: string }[] = [];
    hooks.on("error", (e) => events.push(e));
    await hooks.start();
    const r = await hooks.emit("order_placed", order);
    const id = r.deliveries[0]!.id;
    await vi.waitFor(() => expect([claims, sends.length]).toEqual([1, 1]));

    let stopped = false;
    const stopping = hooks.stop().then(() => {
      stopped = true;
    });
    await clock.advance(GRACE - 1);
    expect(await store.getDelivery(id)).toMatchObject({ status: "sending" });
    await clock.advance(1);
    // The grace period runs from stop(), even though the worker's claim still hangs.
    await vi.waitFor(async () =>
      expect(await store.getDelivery(id)).toMatchObject({
        status: "pending",
        lastErrorCode: "HOOKLINE_ABORTED",
      }),
    );
    expect(stopped).toBe(false);
    await clock.advance(STORE_TIMEOUT - 1);
    expect(stopped).toBe(false);
    await clock.advance(1);
    expect(stopped).toBe(true);
    await stopping;

    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ context: "stop()", error: { code: "HOOKLINE_STOP_TIMEOUT" } });
    expect(String((events[0]!.error as Error).message)).toMatch(
      /expected to finish within worker\.stopGraceMs \+ worker\.stopStoreTimeoutMs \(1000 \+ 2000 ms\), but it was still waiting for the worker's store call/,
    );
    expect(logged).toEqual([expect.objectContaining({ msg: "stop() gave up waiting for the store" })]);
    // A second stop() is the same (settled) stop, not a new wait.
    await hooks.stop();
    expect(events).toHaveLength(1);
  });

  const hangs: {
    step: string;
    waitingFor: RegExp;
    hang(store: DeliveryStore, calls: { n: number }): void;
    run(hooks: ReturnType<typeof shopHooks>["hooks"]): Promise<unknown>;
  }[] = [
    {
      step: "an insert",
      waitingFor: /emits under way to be stored/,
      hang: (store, calls) => {
        store.insertEvents = () => {
          calls.n++;
          return never();
        };
      },
      run: async (hooks) => {
        hooks.emit("order_placed", order).catch(() => {});
      },
    },
    {
      step: "a completion write",
      waitingFor: /in-flight attempts to end and be recorded, with 1 attempt\(s\) not recorded/,
      hang: (store, calls) => {
        store.complete = () => {
          calls.n++;
          return never();
        };
      },
      run: (hooks) => hooks.emit("order_placed", order),
    },
    {
      step: "closing the store",
      waitingFor: /the transport and store to close/,
      hang: (store, calls) => {
        store.close = () => {
          calls.n++;
          return never();
        };
      },
      run: async () => {},
    },
  ];

  for (const h of hangs) {
    it(`while ${h.step} never returns: resolves at the deadline and says what it waited for`, async () => {
      const clock = fakeClock();
      const { hooks, store } = shopHooks({
        clock,
        worker: { enabled: false, stopGraceMs: GRACE, stopStoreTimeoutMs: STORE_TIMEOUT },
      });
      const calls = { n: 0 };
      h.hang(store, calls);
      const events: { error: unknown; context: string }[] = [];
      hooks.on("error", (e) => events.push(e));
      await hooks.start();
      await h.run(hooks);
      let stopped = false;
      const stopping = hooks.stop().then(() => {
        stopped = true;
      });
      await vi.waitFor(() => expect(calls.n).toBe(1));
      await clock.advance(GRACE + STORE_TIMEOUT - 1);
      expect(stopped).toBe(false);
      await clock.advance(1);
      expect(stopped).toBe(true);
      await stopping;
      expect(events.map((e) => (e.error as { code?: string }).code)).toEqual(["HOOKLINE_STOP_TIMEOUT"]);
      expect((events[0]!.error as Error).message).toMatch(h.waitingFor);
    });
  }

  it("a store that answers: stop() neither waits for the deadline nor reports anything", async () => {
    const clock = fakeClock();
    const { hooks, receiver } = shopHooks({
      clock,
      worker: { stopGraceMs: GRACE, stopStoreTimeoutMs: STORE_TIMEOUT },
    });
    const events: unknown[] = [];
    hooks.on("error", (e) => events.push(e));
    await hooks.start();
    await hooks.emit("order_placed", order, { wait: "attempted" });
    await hooks.stop();
    expect(receiver.requests).toHaveLength(1);
    expect(events).toEqual([]);
    // Its own timers are cleared: nothing of stop() fires later.
    await clock.advance(GRACE + STORE_TIMEOUT);
    expect(events).toEqual([]);
  });
});

describe("stop() with work under way", () => {
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
          validate: async (v: unknown) => {
            await gate;
            return { value: v as { n: number } };
          },
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
});

describe("emit() before start()", () => {
  function twoInstancesOnOneStore() {
    const store = memoryStore();
    const receiver = memoryReceiver();
    const make = () =>
      createHookline({
        plugins: [shopPlugin()],
        endpoints: [
          { id: "a", url: `${receiver.baseUrl}/a`, events: "*", secret: SECRET },
          { id: "b", url: `${receiver.baseUrl}/b`, events: "*", secret: SECRET },
        ],
        store,
        transport: memoryTransport({ receiver }),
      });
    return { store, receiver, make };
  }

  it("sees an endpoint disabled earlier: its delivery is stored cancelled and nothing is sent to it", async () => {
    const { store, receiver, make } = twoInstancesOnOneStore();
    await make().disableEndpoint("b", "receiver retired");
    const fresh = make();
    const r = await fresh.emit("order_placed", order, { wait: "attempted" });
    const byEp = Object.fromEntries(
      await Promise.all(
        r.deliveries.map(async (d) => [d.endpointId, await store.getDelivery(d.id)] as const),
      ),
    );
    expect(byEp.a).toMatchObject({ status: "succeeded" });
    expect(byEp.b).toMatchObject({ status: "cancelled" });
    expect(receiver.requests.map((q) => q.path)).toEqual(["/a"]);
    await fresh.stop();
  });

  it("reads the switches once for concurrent first emits, and again after a failed read", async () => {
    const { store, make } = twoInstancesOnOneStore();
    const fresh = make();
    const read = store.getEndpointStates.bind(store);
    let reads = 0;
    let failNext = true;
    store.getEndpointStates = async () => {
      reads++;
      if (failNext) {
        failNext = false;
        throw new Error("connection lost");
      }
      return read();
    };
    await expect(fresh.emit("order_placed", order)).rejects.toMatchObject({
      code: "HOOKLINE_STORE_ERROR",
      message: expect.stringMatching(
        /expected to read the endpoint switches before the first emit.*connection lost/,
      ),
    });
    // Nothing was stored for the refused emit.
    expect((await store.listEvents({}, { limit: 10 })).items).toEqual([]);
    await Promise.all([1, 2, 3].map(() => fresh.emit("order_placed", order)));
    expect(reads).toBe(2);
    await fresh.emit("order_placed", order);
    expect(reads).toBe(2);
    await fresh.stop();
  });
});
