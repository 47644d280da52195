import { describe, expect, it, vi } from "vitest";
import { captureLogger, controlHooks, endpoint } from "./control-fixtures.js";

const NO_POLL = { pollIntervalMs: 60_000 };

/**
 * An endpoint ordering by subject whose receiver holds the first request open until release(),
 * then answers it `firstStatus`; every later one 200. `order`: webhook ids as they arrived.
 */
function firstHeldOpen(options: { retrySchedule?: number[] }, firstStatus: number) {
  const setup = controlHooks((u) => [endpoint(u, "ord", { ordering: "subject", ...options })], {
    worker: NO_POLL,
  });
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const order: string[] = [];
  setup.receiver.on("/ord", async (req, i) => {
    order.push(String(req.headers["webhook-id"]));
    if (i > 0) return {};
    await held;
    return { status: firstStatus };
  });
  return { ...setup, order, release };
}

describe("the worker and the pipeline hand the store every endpoint's control", () => {
  it("claimDue and complete() get the configured limits and breakers", async () => {
    const { hooks, claimControls, completeControls } = controlHooks((u) => [
      endpoint(u, "a", { rateLimit: { perSecond: 5 }, maxConcurrent: 2 }),
      endpoint(u, "b", { circuitBreaker: false }),
    ]);
    const expected = [
      {
        endpointId: "a",
        rateLimit: { perSecond: 5, burst: 5 },
        maxConcurrent: 2,
        breaker: { failureThreshold: 10, cooldownMs: 30_000, maxCooldownMs: 600_000 },
      },
      { endpointId: "b" },
    ];
    await hooks.start();
    try {
      await hooks.emit("pinged", { n: 1 });
      await vi.waitFor(() => expect(completeControls.length).toBeGreaterThan(0));
      expect(claimControls[0]).toEqual(expected);
      expect(completeControls[0]).toEqual(expected);
    } finally {
      await hooks.stop();
    }
  });
});

describe("429 pauses", () => {
  it("the Retry-After complete() sees is capped by retry.maxRetryAfterMs, as the delivery's own retry is", async () => {
    const { hooks, receiver, completed } = controlHooks((u) => [endpoint(u, "a")], {
      retry: { maxRetryAfterMs: 60_000, jitter: 0 },
    });
    receiver.on("/a", { status: 429, headers: { "retry-after": "7200" } });
    const r = await hooks.emit("pinged", { n: 1 }, { wait: "attempted" });
    expect(r.attempts).toMatchObject([{ next: { status: "pending", delayMs: 60_000 } }]);
    expect(completed.map((c) => [c.outcome.status, c.outcome.retryAfterMs])).toEqual([[429, 60_000]]);
  });

  it("while paused, emit() leaves the endpoint's deliveries to the worker's claims", async () => {
    const { hooks, receiver, deliveryOf } = controlHooks((u) => [endpoint(u, "a"), endpoint(u, "b")]);
    receiver.on("/a", { status: 429, headers: { "retry-after": "120" } });
    await hooks.emit("pinged", { n: 1 }, { wait: "attempted" });
    const next = await hooks.emit("pinged", { n: 2 }, { wait: "attempted" });
    expect(deliveryOf(next.eventId, "a")?.claim).toBeUndefined();
    expect(next.attempts?.map((a) => a.endpointId)).toEqual(["b"]);
  });
});

describe("circuit transitions reported by complete()", () => {
  it("an opening is announced once: endpoint.circuit_opened and a warn line; emit() stops pre-claiming for it", async () => {
    const { logger, lines } = captureLogger();
    const { hooks, ctl, deliveryOf } = controlHooks((u) => [endpoint(u, "a"), endpoint(u, "b")], { logger });
    const opened: unknown[] = [];
    hooks.on("endpoint.circuit_opened", (e) => opened.push(e));
    const openUntil = new Date(Date.now() + 60_000);
    ctl.circuits = [{ endpointId: "a", state: "open", consecutiveFailures: 10, openUntil }];
    await hooks.emit("pinged", { n: 1 }, { wait: "attempted" });
    expect(opened).toEqual([{ endpointId: "a", consecutiveFailures: 10, openUntil }]);
    expect(lines.filter((l) => l.level === "warn")).toEqual([
      expect.objectContaining({
        fields: { endpointId: "a", consecutiveFailures: 10, openUntil: openUntil.toISOString() },
        message: expect.stringContaining("circuit opened"),
      }),
    ]);
    // Until openUntil this process leaves a's deliveries to the worker's claims.
    const next = await hooks.emit("pinged", { n: 2 }, { wait: "attempted" });
    expect(deliveryOf(next.eventId, "a")?.claim).toBeUndefined();
    expect(deliveryOf(next.eventId, "b")?.claim).toBeDefined();
    expect(next.attempts?.map((a) => a.endpointId)).toEqual(["b"]);
    expect(opened).toHaveLength(1);
  });

  it("a closing is announced (endpoint.circuit_closed, an info line) and wakes the worker for what waited", async () => {
    const { logger, lines } = captureLogger();
    const { hooks, receiver, ctl, insertPending, workerAsleep } = controlHooks(
      (u) => [endpoint(u, "a"), endpoint(u, "b")],
      {
        logger,
        worker: NO_POLL,
      },
    );
    const closed: unknown[] = [];
    hooks.on("endpoint.circuit_closed", (e) => closed.push(e));
    await hooks.start();
    try {
      await workerAsleep();
      // Stored behind the sleeping worker's back, as held deliveries of an open circuit are.
      const waiting = await insertPending("a", "s9");
      ctl.circuits = [{ endpointId: "a", state: "closed", consecutiveFailures: 0, openUntil: null }];
      await hooks.emit("note_added", { id: "s1" }, { wait: "attempted" });
      expect(closed).toEqual([{ endpointId: "a" }]);
      expect(lines).toContainEqual(
        expect.objectContaining({
          level: "info",
          fields: { endpointId: "a" },
          message: expect.stringContaining("circuit closed"),
        }),
      );
      await vi.waitFor(
        async () => expect((await hooks.store.getDelivery(waiting))?.status).toBe("succeeded"),
        { timeout: 5_000 },
      );
      expect(receiver.requests).toHaveLength(3);
    } finally {
      await hooks.stop();
    }
  });

  it("a throwing circuit listener does not fail the completion", async () => {
    const { hooks, ctl } = controlHooks((u) => [endpoint(u, "a")]);
    hooks.on("endpoint.circuit_opened", () => {
      throw new Error("listener bug");
    });
    ctl.circuits = [{ endpointId: "a", state: "open", consecutiveFailures: 3, openUntil: new Date() }];
    const r = await hooks.emit("pinged", { n: 1 }, { wait: "attempted" });
    expect(r.attempts).toMatchObject([{ recorded: true, next: { status: "succeeded" } }]);
  });
});

describe("wake-ups when a recorded attempt frees work", () => {
  it("a delivery to an ordered endpoint reaching its end wakes the worker for the next of its subject", async () => {
    const { hooks, receiver, inserted, insertPending, workerAsleep } = controlHooks(
      (u) => [endpoint(u, "ord", { ordering: "subject" })],
      { worker: NO_POLL },
    );
    // The first request is held open until the test has queued the next one behind it.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    receiver.on("/ord", async (_req, i) => {
      if (i === 0) await held;
      return {};
    });
    await hooks.start();
    try {
      await workerAsleep();
      const first = hooks.emit("note_added", { id: "s1" }, { wait: "attempted" });
      await receiver.waitFor(1);
      // Next in line for s1, stored behind the sleeping worker's back.
      const waiting = await insertPending("ord", "s1", { ordered: true });
      expect((await hooks.store.getDelivery(waiting))?.waitingFor).toBe(inserted[0]!.deliveries[0]!.id);
      release();
      expect((await first).attempts).toMatchObject([{ recorded: true, next: { status: "succeeded" } }]);
      // No poll is due for a minute: only the wake-up sends it.
      await vi.waitFor(
        async () => expect((await hooks.store.getDelivery(waiting))?.status).toBe("succeeded"),
        { timeout: 5_000 },
      );
      expect(receiver.requests).toHaveLength(2);
    } finally {
      await hooks.stop();
    }
  });

  it("an emit behind one this process is sending stays claimed and is sent right after it ends, not through a claim", async () => {
    const { hooks, inserted, workerAsleep, receiver, order, release } = firstHeldOpen({}, 200);
    await hooks.start();
    try {
      await workerAsleep();
      const claims = vi.spyOn(hooks.store, "claimDue");
      const first = hooks.emit("note_added", { id: "s1" }, { wait: "attempted" });
      await receiver.waitFor(1);
      const second = hooks.emit("note_added", { id: "s1" }, { wait: "attempted" });
      // Stored claimed (sending), not sent while the first is out.
      await vi.waitFor(() => expect(inserted).toHaveLength(2));
      const secondId = inserted[1]!.deliveries[0]!.id;
      await vi.waitFor(async () => expect((await hooks.store.getDelivery(secondId))?.status).toBe("sending"));
      expect(receiver.requests).toHaveLength(1);
      release();
      expect((await first).attempts).toMatchObject([{ recorded: true, next: { status: "succeeded" } }]);
      expect((await second).attempts).toMatchObject([{ recorded: true, next: { status: "succeeded" } }]);
      expect(order).toEqual(inserted.map((e) => e.id));
      // The end of the first asks for the next of s1; the second is not for the taking.
      expect(claims).toHaveBeenCalled();
      for (const r of claims.mock.results) expect(await r.value).toEqual([]);
    } finally {
      await hooks.stop();
    }
  });

  it("an emit queued behind one that fails is given back, and goes only after that one's retry", async () => {
    const { hooks, inserted, workerAsleep, receiver, order, release } = firstHeldOpen(
      { retrySchedule: [200] },
      500,
    );
    await hooks.start();
    try {
      await workerAsleep();
      const first = hooks.emit("note_added", { id: "s1" }, { wait: "attempted" });
      await receiver.waitFor(1);
      const second = hooks.emit("note_added", { id: "s1" }, { wait: "attempted" });
      await vi.waitFor(() => expect(inserted).toHaveLength(2));
      release();
      expect((await first).attempts).toMatchObject([{ recorded: true, next: { status: "pending" } }]);
      expect((await second).attempts).toMatchObject([{ recorded: false }]);
      const [a, b] = inserted.map((e) => e.deliveries[0]!.id);
      await vi.waitFor(async () => expect((await hooks.store.getDelivery(b!))?.status).toBe("succeeded"), {
        timeout: 5_000,
      });
      expect((await hooks.store.getDelivery(a!))?.status).toBe("succeeded");
      const [e1, e2] = inserted.map((e) => e.id);
      // The first twice (its failure, then its retry), and only then the second.
      expect(order).toEqual([e1, e1, e2]);
    } finally {
      await hooks.stop();
    }
  });
});
