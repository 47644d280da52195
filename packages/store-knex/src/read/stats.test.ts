import { memoryStore } from "@hookline/core";
import { makeEvent, makeOutcome, makeResult } from "@hookline/core/testing";
import { expect, it } from "vitest";
import { scenario } from "../__fixtures__/stats-scenario.js";
import { useTestEnv } from "../__fixtures__/test-env.js";
import { describeTargets, testTargets } from "../testing/databases.js";

const targets = await testTargets();
const MIN = 60_000;
const HOUR = 60 * MIN;

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
