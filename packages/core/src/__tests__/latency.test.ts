import { describe, expect, it } from "vitest";
import { latencyBucket } from "../contracts/latency.js";

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
    ];
    for (const [ms, bucket] of cases) expect([ms, latencyBucket(ms)]).toEqual([ms, bucket]);
  });
});
