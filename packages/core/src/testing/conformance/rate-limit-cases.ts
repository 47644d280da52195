import { expect, it } from "vitest";
import type { ClaimedDelivery } from "../../contracts/store.js";
import { makeEvent, wait } from "../fixtures.js";
import { until } from "../until.js";
import {
  CLOCK_SLACK_MS,
  claimWith,
  countFor,
  expectOffset,
  stateOf,
  succeeded,
  timed,
  tooMany,
} from "./control-helpers.js";
import { type ConformanceContext, claimOf, HOUR } from "./helpers.js";
import { rateWindowCases } from "./rate-window-cases.js";

/** Rate limits, concurrency caps and 429 pauses, shared by every claimer through the store. */
export function rateLimitCases(ctx: ConformanceContext): void {
  const { leaseMs } = ctx;
  const due = (endpoint: string, n: number) =>
    Array.from({ length: n }, () => makeEvent({ endpoints: [endpoint] }));

  it("a token bucket gives its burst at once, then refills at perSecond, never more; other endpoints are not limited", async () => {
    const store = ctx.store();
    await store.insertEvents([...due("ep-a", 12), ...due("ep-b", 2)]);
    const controls = [{ endpointId: "ep-a", rateLimit: { perSecond: 5, burst: 3 } }];
    const started = Date.now();
    const first = await claimWith(store, controls, { workerId: "w1" });
    expect(countFor(first, "ep-a")).toBe(3);
    expect(countFor(first, "ep-b")).toBe(2);
    let total = 3;
    let round = 0;
    // Workers take turns; whatever they get together stays within burst + perSecond × elapsed.
    await until(
      async () => {
        const got = countFor(await claimWith(store, controls, { workerId: `w${round++ % 3}` }), "ep-a");
        total += got;
        const allowed = 3 + (5 * (Date.now() - started + CLOCK_SLACK_MS)) / 1000;
        expect(total).toBeLessThanOrEqual(Math.floor(allowed));
        return total >= 7;
      },
      { what: "the bucket to refill", everyMs: 30 },
    );
    // What the bucket held back waits, pending, with no attempt counted.
    const waiting = await store.listDeliveries({ endpointId: ["ep-a"], status: ["pending"] }, { limit: 100 });
    expect(waiting.items).toHaveLength(12 - total);
    expect(waiting.items.every((d) => d.attempts === 0)).toBe(true);
  });

  it("a bucket never holds more than its burst, however long it rests", async () => {
    const store = ctx.store();
    await store.insertEvents(due("ep-a", 12));
    const controls = [{ endpointId: "ep-a", rateLimit: { perSecond: 50, burst: 2 } }];
    expect(await claimWith(store, controls)).toHaveLength(2);
    // 200 ms at 50/s refills 10 tokens; the bucket keeps 2 of them.
    await wait(200);
    expect(await claimWith(store, controls)).toHaveLength(2);
  });

  it("maxConcurrent caps the endpoint's sending deliveries across claims and workers; a completion or an expired lease frees a slot", async () => {
    const store = ctx.store();
    await store.insertEvents([...due("ep-a", 6), ...due("ep-b", 3)]);
    const controls = [{ endpointId: "ep-a", maxConcurrent: 2 }];
    const first = await claimWith(store, controls, { workerId: "w1" });
    expect(countFor(first, "ep-a")).toBe(2);
    expect(countFor(first, "ep-b")).toBe(3);
    expect(await claimWith(store, controls, { workerId: "w2" })).toEqual([]);
    const [a1, a2] = first.filter((c) => c.endpointId === "ep-a") as [ClaimedDelivery, ClaimedDelivery];
    await store.complete([succeeded(a1)], { controls });
    const next = await claimWith(store, controls, { workerId: "w2" });
    expect(next.map((c) => c.endpointId)).toEqual(["ep-a"]);
    expect(await claimWith(store, controls, { workerId: "w3" })).toEqual([]);
    await store.complete([succeeded(a2), succeeded(next[0]!)], { controls });
    // Two claimed on a short lease; once it runs out they count no more, and are taken again.
    const short = await claimWith(store, controls, { workerId: "w1", leaseMs });
    expect(short).toHaveLength(2);
    let again: ClaimedDelivery[] = [];
    await until(
      async () => {
        again = await claimWith(store, controls, { workerId: "w4" });
        return again.length > 0;
      },
      { what: "the leases to run out" },
    );
    expect(again.map((c) => c.id).sort()).toEqual(short.map((c) => c.id).sort());
    expect(again.every((c) => c.attempts === 2)).toBe(true);
  });

  it("a 429 with Retry-After pauses the endpoint for every claimer, capped at an hour; claimed inserts go in pending", async () => {
    const store = ctx.store();
    const sent = makeEvent({ endpoints: ["ep-a"], claim: { leaseMs: 60_000 } });
    const sent2 = makeEvent({ endpoints: ["ep-a"], claim: { leaseMs: 60_000 } });
    await store.insertEvents([sent, sent2, ...due("ep-a", 2), ...due("ep-b", 1)]);
    const controls = [{ endpointId: "ep-a" }, { endpointId: "ep-b" }];
    const pause = await timed(() => store.complete([tooMany(claimOf(sent), 60_000)], { controls }));
    expect(pause.result.circuits).toEqual([]);
    expectOffset((await stateOf(store, "ep-a"))?.pausedUntil, pause, 60_000);
    // Its own retry, due now, waits too; the other endpoint goes on.
    const claimed = await claimWith(store, controls, { workerId: "w2" });
    expect(claimed.map((c) => c.endpointId)).toEqual(["ep-b"]);
    const late = makeEvent({ endpoints: ["ep-a", "ep-b"], claim: { leaseMs: 60_000 } });
    const inserted = await store.insertEvents([late]);
    expect([...(inserted.unclaimed ?? [])]).toEqual([late.deliveries[0]!.id]);
    expect(await store.getDelivery(late.deliveries[0]!.id)).toMatchObject({ status: "pending", attempts: 0 });
    expect((await store.getDelivery(late.deliveries[1]!.id))?.status).toBe("sending");
    // A Retry-After of five hours pauses for one.
    const long = await timed(() => store.complete([tooMany(claimOf(sent2), 5 * HOUR)], { controls }));
    expectOffset((await stateOf(store, "ep-a"))?.pausedUntil, long, HOUR);
  });

  it("a pause ends by itself: the endpoint's deliveries are claimed again once it is over", async () => {
    const store = ctx.store();
    const sent = makeEvent({ endpoints: ["ep-a"], claim: { leaseMs: 60_000 } });
    await store.insertEvents([sent]);
    const controls = [{ endpointId: "ep-a" }];
    await store.complete([tooMany(claimOf(sent), 200)], { controls });
    const pausedAt = Date.now();
    const first = await claimWith(store, controls);
    // Claimed at once only if the machine stalled past the pause.
    if (first.length > 0) expect(Date.now() - pausedAt).toBeGreaterThanOrEqual(200 - CLOCK_SLACK_MS);
    else
      await until(async () => (await claimWith(store, controls)).length === 1, { what: "the pause to end" });
  });

  rateWindowCases(ctx);
}
