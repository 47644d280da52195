import { INVALID_SPAN_CONTEXT, type Tracer, trace } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import { EmitGate } from "../dispatch/emit-gate.js";
import { isHooklineError } from "../errors/hookline-error.js";
import { errorMessageOf, shopHooks } from "./helpers.js";

/** enter(), and wait() with `entry` when there is no place: what emit() does. */
function enter<T>(gate: EmitGate<T>, entry: T): boolean {
  if (gate.enter()) return true;
  gate.wait(entry);
  return false;
}

/** leave(), then admit(): what an emit that is stored does. */
function leave<T>(gate: EmitGate<T>): T | undefined {
  gate.leave();
  return gate.admit();
}

describe("EmitGate", () => {
  it("admits up to its limit, queues the rest in call order, and hands each freed place to the longest waiting", () => {
    const gate = new EmitGate<string>(2);
    expect(enter(gate, "a")).toBe(true);
    expect(enter(gate, "b")).toBe(true);
    expect(enter(gate, "c")).toBe(false);
    expect(enter(gate, "d")).toBe(false);
    expect(gate.waiting).toBe(2);
    expect(leave(gate)).toBe("c");
    expect(leave(gate)).toBe("d");
    // Nobody waits: the places free up, and the next emit enters at once.
    expect(leave(gate)).toBeUndefined();
    expect(leave(gate)).toBeUndefined();
    expect(enter(gate, "e")).toBe(true);
    expect(enter(gate, "f")).toBe(true);
    expect(enter(gate, "g")).toBe(false);
  });

  it("keeps call order through a queue long enough to be compacted, and gives up every waiting entry at stop", () => {
    const gate = new EmitGate<number>(1);
    expect(enter(gate, -1)).toBe(true);
    for (let i = 0; i < 5000; i++) expect(enter(gate, i)).toBe(false);
    const taken = Array.from({ length: 3000 }, () => leave(gate));
    expect(taken).toEqual(Array.from({ length: 3000 }, (_, i) => i));
    expect(gate.waiting).toBe(2000);
    expect(gate.takeWaiting()).toEqual(Array.from({ length: 2000 }, (_, i) => 3000 + i));
    expect(gate.waiting).toBe(0);
  });
});

describe("backpressure inside emit (maxEmitting)", () => {
  it("a burst never has more than maxEmitting emits built or stored at once, and is stored in call order", async () => {
    const { hooks, batches, ctl } = shopHooks({ maxEmitting: 3, worker: { enabled: false } });
    ctl.insertDelayMs = 20;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => hooks.emit("order_placed", { orderId: `o${i}`, total: i })),
    );
    expect(new Set(results.map((r) => r.eventId)).size).toBe(20);
    // Each insert batch holds what was admitted; nothing waiting was built, so none exceeds 3.
    expect(Math.max(...batches.map((b) => b.length))).toBeLessThanOrEqual(3);
    expect(batches.length).toBeGreaterThanOrEqual(7);
    const stored = batches.flat().map((e) => (JSON.parse(e.body) as { orderId: string }).orderId);
    expect(stored).toEqual(Array.from({ length: 20 }, (_, i) => `o${i}`));
    await hooks.stop();
  });

  it("an emit that fails validation passes its place on: the ones waiting behind it are stored", async () => {
    const { hooks } = shopHooks({ maxEmitting: 1, worker: { enabled: false } });
    const bad = hooks.emit("order_placed", { orderId: 1 } as never);
    const good = Array.from({ length: 3 }, (_, i) =>
      hooks.emit("order_placed", { orderId: `o${i}`, total: i }),
    );
    await expect(bad).rejects.toMatchObject({ code: "HOOKLINE_INVALID_PAYLOAD" });
    expect((await Promise.all(good)).map((r) => r.duplicate)).toEqual([false, false, false]);
    await hooks.stop();
  });

  it("stop() refuses the emits still waiting at once, lets the admitted ones be stored, and refuses later emits", async () => {
    const { hooks, batches, ctl } = shopHooks({ maxEmitting: 2, worker: { enabled: false } });
    ctl.insertDelayMs = 50;
    const settled: string[] = [];
    const emits = Array.from({ length: 6 }, (_, i) =>
      hooks.emit("order_placed", { orderId: `o${i}`, total: i }).then(
        (r) => {
          settled.push(`stored ${i}`);
          return r.eventId;
        },
        (e: unknown) => {
          settled.push(`refused ${i}`);
          return e;
        },
      ),
    );
    await new Promise((r) => setTimeout(r, 5));
    const stopping = hooks.stop();
    const results = await Promise.all(emits);
    await stopping;
    // Refused before the admitted ones were stored: they never waited for a place.
    expect(settled).toEqual(["refused 2", "refused 3", "refused 4", "refused 5", "stored 0", "stored 1"]);
    expect(results.slice(2).every((e) => isHooklineError(e, "HOOKLINE_NOT_RUNNING"))).toBe(true);
    expect(batches.flat()).toHaveLength(2);
    await expect(hooks.emit("order_placed", { orderId: "late", total: 1 })).rejects.toMatchObject({
      code: "HOOKLINE_NOT_RUNNING",
    });
  });

  it("a tracer that throws fails its emit only: the place is given back and the emits behind it are stored", async () => {
    let throws = 2;
    const tracer = {
      startSpan: () => {
        if (throws-- > 0) throw new Error("tracer broke");
        return trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
      },
      startActiveSpan: () => {
        throw new Error("not used");
      },
    } as unknown as Tracer;
    const { hooks } = shopHooks({
      maxEmitting: 1,
      worker: { enabled: false },
      telemetry: { tracerProvider: { getTracer: () => tracer } },
    });
    const emits = Array.from({ length: 4 }, (_, i) =>
      hooks.emit("order_placed", { orderId: `o${i}`, total: i }).then(
        (r) => r.duplicate,
        (e: Error) => e.message,
      ),
    );
    expect(await Promise.all(emits)).toEqual(["tracer broke", "tracer broke", false, false]);
    await hooks.stop();
  });

  it("an outbox emit (trx) does not wait for room: its transaction may hold what the admitted emits need", async () => {
    const { hooks, ctl } = shopHooks({ maxEmitting: 1, worker: { enabled: false } });
    ctl.insertDelayMs = 200;
    const admitted = hooks.emit("order_placed", { orderId: "o1", total: 1 });
    const order: string[] = [];
    const outbox = hooks
      .emit("order_placed", { orderId: "o2", total: 2 }, { trx: {} })
      .catch((e: { code?: string }) => order.push(`outbox ${e.code}`));
    await admitted.then(() => order.push("admitted stored"));
    await outbox;
    // The memory store refuses transactions; what matters is that it was asked before the slot freed.
    expect(order).toEqual(["outbox HOOKLINE_INVALID_OPTION", "admitted stored"]);
    await hooks.stop();
  });

  it("maxEmitting defaults to 2,000, or twice what the inserts in flight hold when that is more", async () => {
    /** How many of `n` emits fired at once were admitted (their payload read) while inserts hang. */
    const admitted = async (opts: { insertBatchSize?: number }, n: number) => {
      const { hooks, ctl } = shopHooks({ ...opts, worker: { enabled: false } });
      ctl.insertDelayMs = 100;
      const read = new Set<number>();
      const payload = (i: number) => ({
        get orderId() {
          read.add(i);
          return `o${i}`;
        },
        total: i,
      });
      const emits = Array.from({ length: n }, (_, i) => hooks.emit("order_placed", payload(i)));
      await new Promise((r) => setTimeout(r, 50));
      const count = read.size;
      await Promise.all(emits);
      await hooks.stop();
      return count;
    };
    expect(await admitted({}, 2_500)).toBe(2_000);
    // 1,500 per batch, 2 batches in flight: twice that is 6,000.
    expect(await admitted({ insertBatchSize: 1_500 }, 6_500)).toBe(6_000);
  });

  it("maxEmitting must be a whole number from 1 to 1,000,000", () => {
    for (const bad of [0, 1.5, -3, "10"]) {
      const message = errorMessageOf(
        () => shopHooks({ maxEmitting: bad as number }),
        "HOOKLINE_INVALID_OPTION",
      );
      expect(message).toContain("maxEmitting");
    }
  });
});
