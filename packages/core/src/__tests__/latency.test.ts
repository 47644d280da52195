import { describe, expect, it } from "vitest";
import {
  latencyBucket,
  latencyBucketStep,
  nearestRankPercentile,
  percentileRank,
} from "../contracts/latency.js";

describe("latencyBucket", () => {
  it("keeps two significant digits, rounded down, and is exact below 100 ms", () => {
    const cases: [number, number][] = [
      [0, 0],
      [7, 7],
      [99, 99],
      [100, 100],
      [109, 100],
      [999, 990],
      [1000, 1000],
      [1299, 1200],
      [9_999, 9_900],
      [10_500, 10_000],
      [98_765, 98_000],
      [1_234_567, 1_200_000],
      [9_999_999, 9_900_000],
      [10_000_000, 10_000_000],
      [10_999_999, 10_000_000],
      [12_345_678, 12_000_000],
      [2_147_483_647, 2_100_000_000],
    ];
    for (const [ms, bucket] of cases) expect([ms, latencyBucket(ms)]).toEqual([ms, bucket]);
  });

  it("rounds down by latencyBucketStep, a tenth of the duration's power of ten", () => {
    for (const ms of [100, 999, 1000, 99_999, 10_000_000, 123_456_789])
      expect(latencyBucket(ms) % latencyBucketStep(ms)).toBe(0);
    expect([99, 100, 10_000_000, 99_999_999].map(latencyBucketStep)).toEqual([1, 10, 1_000_000, 1_000_000]);
  });
});

describe("nearest-rank percentiles", () => {
  it("takes the value at rank ceil(p·n/100), at least the first, and null for no values", () => {
    expect(nearestRankPercentile([], 50)).toBeNull();
    expect(nearestRankPercentile([7], 95)).toBe(7);
    const ten = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect([
      nearestRankPercentile(ten, 50),
      nearestRankPercentile(ten, 95),
      nearestRankPercentile(ten, 0),
    ]).toEqual([5, 10, 1]);
    expect(percentileRank(99.9, 1000)).toBe(999);
    expect(percentileRank(95, 20)).toBe(19);
  });
});
