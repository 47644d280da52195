import { describe, expect, it, vi } from "vitest";
import { createHookline } from "../hookline.js";
import { memoryStore } from "../memory/memory-store.js";
import { memoryTransport } from "../memory/memory-transport.js";
import { memoryReceiver } from "../testing/receiver.js";
import { controlPlugin, endpoint } from "./control-fixtures.js";

// A poll interval no test waits for: whatever the worker sends, it was woken for.
const NO_POLL = { pollIntervalMs: 60_000 };

/** The control plugin on the memory store, whose claims and completions enforce the controls. */
function memoryHooks(
  endpoints: (baseUrl: string) => Parameters<typeof createHookline>[0]["endpoints"],
  extra: Partial<Parameters<typeof createHookline>[0]> = {},
) {
  const receiver = memoryReceiver();
  const store = memoryStore();
  const hooks = createHookline({
    plugins: [controlPlugin()],
    endpoints: endpoints(receiver.baseUrl),
    store,
    transport: memoryTransport({ receiver }),
    ...extra,
  });
  const received = () =>
    receiver.requests.map((r) => JSON.parse(r.body) as { id?: string; v?: number; n?: number });
  return { hooks, receiver, store, received };
}

describe("delivery control end to end on the memory store", () => {
  it("ordering: a subject's emits reach the receiver in emit order, a failed first try included, each sent as soon as the one ahead ends", async () => {
    const { hooks, receiver, received } = memoryHooks(
      (u) => [endpoint(u, "ord", { ordering: "subject", supersede: false, retrySchedule: [20, 20, 20] })],
      { worker: NO_POLL },
    );
    // The first request fails: the rest of the subject must wait for its retry.
    receiver.on("/ord", (_req, i) => (i === 0 ? { status: 500 } : {}));
    await hooks.start();
    try {
      for (const v of [1, 2, 3]) await hooks.emit("state_changed", { id: "s1", v });
      await receiver.waitFor(4, { timeoutMs: 5_000 });
      expect(received().map((b) => b.v)).toEqual([1, 1, 2, 3]);
    } finally {
      await hooks.stop();
    }
  });

  it("supersede: a newer state cancels the older one still pending there, not other codes or endpoints that opt out", async () => {
    const { hooks } = memoryHooks((u) => [
      // Rate-limited, so emit() sends nothing itself and the states pile up for the worker.
      endpoint(u, "in", { rateLimit: { perSecond: 1 } }),
      endpoint(u, "out", { rateLimit: { perSecond: 1 }, supersede: false }),
    ]);
    const first = await hooks.emit("state_changed", { id: "s1", v: 1 });
    const note = await hooks.emit("note_added", { id: "s1" });
    await hooks.emit("state_changed", { id: "s1", v: 2 });
    const status = async (r: typeof first, ep: string) => {
      const d = await hooks.store.getDelivery(r.deliveries.find((x) => x.endpointId === ep)!.id);
      return [d?.status, d?.lastErrorCode, d?.attempts];
    };
    expect(await status(first, "in")).toEqual(["cancelled", "HOOKLINE_SUPERSEDED", 0]);
    expect(await status(first, "out")).toEqual(["pending", null, 0]);
    expect(await status(note, "in")).toEqual(["pending", null, 0]);
  });

  it("breaker: opens after failureThreshold failures, probes after the cool-down, closes on success; lifecycle events in that order", async () => {
    const { hooks, receiver } = memoryHooks(
      (u) => [
        endpoint(u, "a", {
          retrySchedule: [10, 10, 10, 10, 10, 10],
          circuitBreaker: { failureThreshold: 2, cooldownMs: 200 },
        }),
      ],
      { worker: { pollIntervalMs: 50 } },
    );
    let failing = true;
    receiver.on("/a", () => (failing ? { status: 500 } : {}));
    const events: string[] = [];
    hooks.on("endpoint.circuit_opened", (e) => {
      events.push(`opened after ${e.consecutiveFailures}`);
      failing = false;
    });
    hooks.on("endpoint.circuit_closed", () => events.push("closed"));
    await hooks.start();
    try {
      const r = await hooks.emit("pinged", { n: 1 });
      await vi.waitFor(() => expect(events).toEqual(["opened after 2", "closed"]), { timeout: 5_000 });
      await vi.waitFor(async () =>
        expect((await hooks.store.getDelivery(r.deliveries[0]!.id))?.status).toBe("succeeded"),
      );
      const [state] = await hooks.store.getEndpointStates();
      expect(state).toMatchObject({ endpointId: "a", circuit: "closed", consecutiveFailures: 0 });
    } finally {
      await hooks.stop();
    }
  });

  it("an attempt aborted by stop() is not a breaker failure", async () => {
    const { hooks, receiver } = memoryHooks(
      (u) => [endpoint(u, "a", { circuitBreaker: { failureThreshold: 1 } })],
      { worker: { stopGraceMs: 20 } },
    );
    receiver.on("/a", { delayMs: 10_000 });
    const opened: unknown[] = [];
    hooks.on("endpoint.circuit_opened", (e) => opened.push(e));
    const attempted = hooks.emit("pinged", { n: 1 }, { wait: "attempted" });
    await receiver.waitFor(1);
    await hooks.stop();
    const r = await attempted;
    expect(r.attempts).toMatchObject([
      { recorded: true, outcome: { error: { code: "HOOKLINE_ABORTED" } }, next: { status: "pending" } },
    ]);
    expect(opened).toEqual([]);
    const states = await hooks.store.getEndpointStates();
    expect(states.find((s) => s.endpointId === "a")?.circuit ?? "closed").toBe("closed");
  });

  it("maxConcurrent: a recorded attempt frees its slot and wakes the worker for the next", async () => {
    const { hooks, receiver } = memoryHooks((u) => [endpoint(u, "mc", { maxConcurrent: 1 })], {
      worker: NO_POLL,
    });
    let open = 0;
    let most = 0;
    receiver.on("/mc", async () => {
      most = Math.max(most, ++open);
      await new Promise((r) => setTimeout(r, 10));
      open--;
      return {};
    });
    await hooks.start();
    try {
      await Promise.all([1, 2, 3, 4].map((n) => hooks.emit("pinged", { n })));
      await receiver.waitFor(4, { timeoutMs: 5_000 });
      expect(most).toBe(1);
    } finally {
      await hooks.stop();
    }
  });
});
