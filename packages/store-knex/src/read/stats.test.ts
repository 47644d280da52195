import { type DeliveryStore, memoryStore, type NewEvent } from "@hookline/core";
import { makeEvent, makeOutcome, makeResult } from "@hookline/core/testing";
import { expect, it } from "vitest";
import { useTestEnv } from "../__fixtures__/test-env.js";
import { describeTargets, testTargets } from "../testing/databases.js";

const targets = await testTargets();
const MIN = 60_000;
const HOUR = 60 * MIN;

/** Deterministic pseudo-random numbers, so the scenario is the same for every store. */
function lcg(seed: number) {
  let s = seed;
  return (n: number) => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return s % n;
  };
}

/** Events spread over four hours, two endpoints each, every attempt outcome and next state. */
async function scenario(stores: readonly DeliveryStore[], base: number): Promise<void> {
  const rand = lcg(42);
  const codes = ["add_credits", "post_code_change", "user_credits_zero"];
  const eps = ["ep-a", "ep-b", "ep-c"];
  const events: NewEvent[] = Array.from({ length: 180 }, (_, i) =>
    makeEvent({
      code: codes[i % 3]!,
      endpoints: [eps[i % 3]!, eps[(i + 1) % 3]!],
      claim: { leaseMs: HOUR },
      createdAt: new Date(base + i * 80_000),
    }),
  );
  const results = events.flatMap((ev) =>
    ev.deliveries.map((d, j) => {
      const roll = rand(10);
      const kind = roll < 6 ? "success" : roll < 9 ? "retryable" : "permanent";
      const next =
        kind === "success"
          ? ({ status: "succeeded" } as const)
          : kind === "permanent"
            ? ({ status: rand(2) ? "failed" : "cancelled" } as const)
            : rand(2)
              ? ({ status: "pending", delayMs: HOUR } as const)
              : ({ status: "failed" } as const);
      return makeResult(
        { id: d.id, claimToken: d.claim!.token, attempts: 1, endpointId: d.endpointId, eventCode: ev.code },
        makeOutcome(kind, { durationMs: 1 + rand(2000) }),
        next,
        new Date(ev.createdAt.getTime() + j * 1000 + rand(90_000)),
      );
    }),
  );
  for (const s of stores) {
    await s.insertEvents(events);
    await s.complete(results);
  }
}

describeTargets(targets, "stats, timeline and endpoint health", (target) => {
  const env = useTestEnv(target, "st");

  it("agree with the in-memory reference store on a 360-delivery scenario", async () => {
    const { store } = env();
    const reference = memoryStore();
    const base = Date.now() - 5 * HOUR;
    await scenario([store, reference], base);
    const range = { since: new Date(base + 30 * MIN), until: new Date(base + 3 * HOUR) };
    const stats = await store.stats(range);
    expect(stats.length).toBeGreaterThan(3);
    expect(stats).toEqual(await reference.stats(range));
    const timeline = await store.timeline(range, 17 * MIN);
    expect(timeline).toHaveLength(Math.ceil(150 / 17));
    expect(timeline).toEqual(await reference.timeline(range, 17 * MIN));
    const health = await store.endpointHealth(range);
    expect(health.map((h) => h.endpointId)).toEqual(["ep-a", "ep-b", "ep-c"]);
    expect(health).toEqual(await reference.endpointHealth(range));
  });

  it("computes nearest-rank p50/p95 over attempts started in range", async () => {
    const { store } = env();
    const t = Date.now();
    const evs = Array.from({ length: 100 }, () => makeEvent({ claim: { leaseMs: HOUR }, endpoints: ["ep"] }));
    const late = makeEvent({ claim: { leaseMs: HOUR }, endpoints: ["ep"] });
    await store.insertEvents([...evs, late]);
    // Durations 1..100 ms in shuffled order; one outlier attempt starts after the range.
    const order = [...evs.keys()].sort((a, b) => ((a * 37) % 100) - ((b * 37) % 100));
    await store.complete([
      ...order.map((i, k) =>
        makeResult(
          {
            id: evs[i]!.deliveries[0]!.id,
            claimToken: evs[i]!.deliveries[0]!.claim!.token,
            attempts: 1,
            endpointId: "ep",
            eventCode: evs[i]!.code,
          },
          makeOutcome("success", { durationMs: k + 1 }),
          { status: "succeeded" },
          new Date(t - 1000),
        ),
      ),
      makeResult(
        {
          id: late.deliveries[0]!.id,
          claimToken: late.deliveries[0]!.claim!.token,
          eventCode: late.code,
          attempts: 1,
          endpointId: "ep",
        },
        makeOutcome("success", { durationMs: 99_999 }),
        { status: "succeeded" },
        new Date(t + 2 * HOUR),
      ),
    ]);
    const [row] = await store.stats({ since: new Date(t - HOUR), until: new Date(t + HOUR) });
    expect(row).toMatchObject({ total: 101, successRate: 1, p50Ms: 50, p95Ms: 95 });
    const [bucket] = await store.timeline({ since: new Date(t - HOUR), until: new Date(t + HOUR) }, 2 * HOUR);
    expect(bucket).toMatchObject({ p50Ms: 50, p95Ms: 95 });
    expect(bucket!.counts.succeeded).toBe(101);
  });

  it("returns empty results and null percentiles for an empty range", async () => {
    const { store } = env();
    const range = { since: new Date(0), until: new Date(3 * HOUR) };
    expect(await store.stats(range)).toEqual([]);
    expect(await store.endpointHealth(range)).toEqual([]);
    const buckets = await store.timeline(range, HOUR);
    expect(buckets.map((b) => b.start.getTime())).toEqual([0, HOUR, 2 * HOUR]);
    expect(buckets.every((b) => b.p50Ms === null && Object.values(b.counts).every((n) => n === 0))).toBe(
      true,
    );
  });

  it("rejects a bad range or bucket size", async () => {
    const { store } = env();
    await expect(store.stats({ since: new Date(Number.NaN), until: new Date() })).rejects.toMatchObject({
      code: "HOOKLINE_INVALID_OPTION",
    });
    const range = { since: new Date(0), until: new Date(HOUR) };
    await expect(store.timeline(range, 0)).rejects.toMatchObject({ code: "HOOKLINE_INVALID_OPTION" });
    await expect(store.timeline(range, 1)).rejects.toThrow(/at most 10000 buckets/);
  });
});
