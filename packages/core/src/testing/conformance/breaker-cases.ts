import { expect, it } from "vitest";
import type { EndpointControl } from "../../contracts/delivery-control.js";
import type { ClaimedDelivery, DeliveryStore, NewEvent } from "../../contracts/store.js";
import { makeEvent } from "../fixtures.js";
import { until } from "../until.js";
import {
  claimWith,
  countFor,
  expectOffset,
  failed,
  notSent,
  stateOf,
  succeeded,
  timed,
} from "./control-helpers.js";
import { type ConformanceContext, claimOf } from "./helpers.js";

const breaker = (failureThreshold: number, cooldownMs: number, maxCooldownMs = 600_000) => [
  { endpointId: "ep-a", breaker: { failureThreshold, cooldownMs, maxCooldownMs } },
  { endpointId: "ep-b", breaker: { failureThreshold, cooldownMs, maxCooldownMs } },
];

/** Circuit breakers shared by every process through the store. */
export function breakerCases(ctx: ConformanceContext): void {
  const sending = (n: number, endpoint = "ep-a"): NewEvent[] =>
    Array.from({ length: n }, () => makeEvent({ endpoints: [endpoint], claim: { leaseMs: 60_000 } }));
  const due = (n: number, endpoint = "ep-a") =>
    Array.from({ length: n }, () => makeEvent({ endpoints: [endpoint] }));

  /** Open ep-a's circuit with one failure (threshold 1); returns the transition's time span. */
  async function openIt(store: DeliveryStore, controls: readonly EndpointControl[]) {
    const [ev] = sending(1);
    await store.insertEvents([ev!]);
    const r = await timed(() => store.complete([failed(claimOf(ev!))], { controls }));
    expect(r.result.circuits).toMatchObject([{ endpointId: "ep-a", state: "open" }]);
    return r;
  }

  /** Wait out the cool-down: the next claim of ep-a is the probe. */
  async function probe(store: DeliveryStore, controls: readonly EndpointControl[], leaseMs = 60_000) {
    let got: ClaimedDelivery[] = [];
    await until(
      async () => {
        got = await claimWith(store, controls, { leaseMs });
        return got.length > 0;
      },
      { what: "the cool-down to end" },
    );
    expect(got).toHaveLength(1);
    return got[0]!;
  }

  it("opens after failureThreshold consecutive failures, counted in attempt order across calls; a success resets the count", async () => {
    const store = ctx.store();
    const evs = sending(6);
    await store.insertEvents(evs);
    const controls = breaker(3, 60_000);
    const c = evs.map((e) => claimOf(e));
    expect((await store.complete([failed(c[0]!)], { controls })).circuits).toEqual([]);
    // Given out of order: the success started last, so it resets the count.
    const t = Date.now();
    await store.complete([succeeded(c[1]!, new Date(t + 1)), failed(c[2]!, new Date(t))], { controls });
    expect(await stateOf(store, "ep-a")).toMatchObject({ circuit: "closed", consecutiveFailures: 0 });
    expect((await store.complete([failed(c[3]!)], { controls })).circuits).toEqual([]);
    expect((await store.complete([failed(c[4]!)], { controls })).circuits).toEqual([]);
    expect(await stateOf(store, "ep-a")).toMatchObject({ circuit: "closed", consecutiveFailures: 2 });
    const opened = await timed(() => store.complete([failed(c[5]!)], { controls }));
    expect(opened.result.circuits).toEqual([
      { endpointId: "ep-a", state: "open", consecutiveFailures: 3, openUntil: expect.any(Date) },
    ]);
    expectOffset(opened.result.circuits?.[0]?.openUntil, opened, 60_000);
    expect(await stateOf(store, "ep-a")).toMatchObject({
      circuit: "open",
      consecutiveFailures: 3,
      openUntil: opened.result.circuits?.[0]?.openUntil,
    });
  });

  it("an open circuit is reported once and not claimed by any worker; claimed inserts to it go in pending", async () => {
    const store = ctx.store();
    const inFlight = sending(2);
    await store.insertEvents(inFlight);
    const controls = breaker(1, 60_000);
    await store.complete([failed(claimOf(inFlight[0]!))], { controls });
    // A delivery sent before the circuit opened fails too: counted, but no second transition.
    expect((await store.complete([failed(claimOf(inFlight[1]!))], { controls })).circuits).toEqual([]);
    expect(await stateOf(store, "ep-a")).toMatchObject({ circuit: "open", consecutiveFailures: 2 });
    await store.insertEvents([...due(2), ...due(1, "ep-b")]);
    expect((await claimWith(store, controls, { workerId: "w1" })).map((c) => c.endpointId)).toEqual(["ep-b"]);
    expect(await claimWith(store, controls, { workerId: "w2" })).toEqual([]);
    const late = makeEvent({ endpoints: ["ep-a", "ep-b"], claim: { leaseMs: 60_000 } });
    const report = await store.insertEvents([late]);
    expect([...(report.unclaimed ?? [])]).toEqual([late.deliveries[0]!.id]);
    expect(await store.getDelivery(late.deliveries[0]!.id)).toMatchObject({ status: "pending", attempts: 0 });
    expect((await store.getDelivery(late.deliveries[1]!.id))?.status).toBe("sending");
  });

  it("after the cool-down one probe goes, nothing else while it is out; its success closes the circuit", async () => {
    const store = ctx.store();
    const controls = breaker(1, 100);
    await openIt(store, controls);
    await store.insertEvents(due(3));
    const first = await probe(store, controls);
    expect(await stateOf(store, "ep-a")).toMatchObject({ circuit: "half_open" });
    expect(await claimWith(store, controls, { workerId: "w2" })).toEqual([]);
    const report = await store.complete([succeeded(first)], { controls });
    expect(report.circuits).toEqual([
      { endpointId: "ep-a", state: "closed", consecutiveFailures: 0, openUntil: null },
    ]);
    expect(await stateOf(store, "ep-a")).toMatchObject({
      circuit: "closed",
      consecutiveFailures: 0,
      openUntil: null,
    });
    // Everything left goes now: the three due and the retry of the failure that opened it.
    expect(countFor(await claimWith(store, controls), "ep-a")).toBe(3);
  });

  it("a failed probe re-opens the circuit with the cool-down doubled, up to maxCooldownMs", async () => {
    const store = ctx.store();
    const controls = breaker(1, 100, 300);
    const opened = await openIt(store, controls);
    expectOffset(opened.result.circuits?.[0]?.openUntil, opened, 100);
    for (const [i, cooldown] of [200, 300, 300].entries()) {
      const p = await probe(store, controls);
      const again = await timed(() => store.complete([failed(p)], { controls }));
      // Each failed probe adds to the count the circuit opened with.
      expect(again.result.circuits).toMatchObject([
        { endpointId: "ep-a", state: "open", consecutiveFailures: 2 + i },
      ]);
      expectOffset(again.result.circuits?.[0]?.openUntil, again, cooldown);
      const s = await stateOf(store, "ep-a");
      expect(s?.circuit).toBe("open");
      expect(s?.openUntil).toEqual(again.result.circuits?.[0]?.openUntil);
    }
  });

  it("a probe whose lease runs out (its worker died) is replaced by the next claim", async () => {
    const store = ctx.store();
    const controls = breaker(1, 50);
    await openIt(store, controls);
    const lost = await probe(store, controls, ctx.leaseMs);
    const next = await probe(store, controls);
    expect(next.id).toBe(lost.id);
    expect(next.attempts).toBe(lost.attempts + 1);
    // The lost worker's late result is stale: fenced out, it counts for nothing.
    expect((await store.complete([succeeded(lost)], { controls })).stale).toEqual([lost.id]);
    expect(await stateOf(store, "ep-a")).toMatchObject({ circuit: "half_open" });
    expect((await store.complete([succeeded(next)], { controls })).circuits).toMatchObject([
      { state: "closed" },
    ]);
  });

  it("aborted attempts and cancels for a disabled endpoint say nothing about the receiver: not counted", async () => {
    const store = ctx.store();
    const evs = sending(4);
    await store.insertEvents(evs);
    const controls = breaker(2, 60_000);
    const c = evs.map((e) => claimOf(e));
    await store.complete([failed(c[0]!)], { controls });
    const report = await store.complete(
      [notSent(c[1]!, "HOOKLINE_ABORTED"), notSent(c[2]!, "HOOKLINE_ENDPOINT_DISABLED")],
      { controls },
    );
    expect(report.circuits).toEqual([]);
    expect(await stateOf(store, "ep-a")).toMatchObject({ circuit: "closed", consecutiveFailures: 1 });
    expect((await store.complete([failed(c[3]!)], { controls })).circuits).toMatchObject([{ state: "open" }]);
  });

  it("without controls complete() counts nothing and reports no circuits", async () => {
    const store = ctx.store();
    const evs = sending(2);
    await store.insertEvents(evs);
    const report = await store.complete(evs.map((e) => failed(claimOf(e))));
    expect(report.circuits).toBeUndefined();
    expect((await stateOf(store, "ep-a"))?.consecutiveFailures ?? 0).toBe(0);
  });
}
