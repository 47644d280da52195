import { describe, expect, it } from "vitest";
import type { DeliveryOutcome } from "../contracts/transport.js";
import { DEFAULT_RETRY_SCHEDULE, RetryPolicy } from "../retry/retry-policy.js";

const fail: DeliveryOutcome = { kind: "retryable", durationMs: 1, status: 500 };
const S = 1000;
const M = 60 * S;
const H = 60 * M;

describe("RetryPolicy", () => {
  it("default schedule is 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, then fails", () => {
    expect(DEFAULT_RETRY_SCHEDULE).toEqual([5 * S, 5 * M, 30 * M, 2 * H, 5 * H, 10 * H, 10 * H]);
    const exact = new RetryPolicy({ jitter: 0 });
    const delays = [1, 2, 3, 4, 5, 6, 7].map((n) => exact.next(n, fail));
    expect(delays).toEqual(DEFAULT_RETRY_SCHEDULE.map((delayMs) => ({ status: "pending", delayMs })));
    expect(exact.next(8, fail)).toEqual({ status: "failed" });
  });

  it("keeps jitter within ±20 % and actually varies", () => {
    const policy = new RetryPolicy();
    for (const [i, base] of DEFAULT_RETRY_SCHEDULE.entries()) {
      const seen = new Set<number>();
      for (let k = 0; k < 200; k++) {
        const next = policy.next(i + 1, fail);
        if (next.status !== "pending") throw new Error("expected pending");
        expect(next.delayMs).toBeGreaterThanOrEqual(Math.floor(base * 0.8));
        expect(next.delayMs).toBeLessThanOrEqual(Math.ceil(base * 1.2));
        seen.add(next.delayMs);
      }
      expect(seen.size).toBeGreaterThan(20);
    }
    expect(new RetryPolicy({}, () => 0).next(1, fail)).toEqual({ status: "pending", delayMs: 4000 });
    expect(new RetryPolicy({}, () => 0.999999).next(1, fail)).toEqual({ status: "pending", delayMs: 6000 });
  });

  it("ends the schedule on a permanent outcome and succeeds on success", () => {
    const p = new RetryPolicy();
    expect(p.next(1, { kind: "permanent", durationMs: 1, status: 410 })).toEqual({ status: "failed" });
    expect(p.next(3, { kind: "success", durationMs: 1, status: 200 })).toEqual({ status: "succeeded" });
  });

  it("uses a per-endpoint schedule when given", () => {
    const p = new RetryPolicy({ jitter: 0 });
    expect(p.next(1, fail, [100, 200])).toEqual({ status: "pending", delayMs: 100 });
    expect(p.next(2, fail, [100, 200])).toEqual({ status: "pending", delayMs: 200 });
    expect(p.next(3, fail, [100, 200])).toEqual({ status: "failed" });
    expect(p.next(1, fail, [])).toEqual({ status: "failed" });
  });

  it("honours Retry-After when longer than the schedule, capped at maxRetryAfterMs", () => {
    const p = new RetryPolicy({ jitter: 0, maxRetryAfterMs: H });
    expect(p.next(1, { ...fail, retryAfterMs: 60 * S })).toEqual({ status: "pending", delayMs: 60 * S });
    expect(p.next(1, { ...fail, retryAfterMs: 1 * S })).toEqual({ status: "pending", delayMs: 5 * S });
    expect(p.next(1, { ...fail, retryAfterMs: 30 * 24 * H })).toEqual({ status: "pending", delayMs: H });
    expect(p.next(8, { ...fail, retryAfterMs: 10 * S })).toEqual({ status: "failed" });
  });

  it("rejects bad options with the option's name", () => {
    expect(() => new RetryPolicy({ schedule: [1, -1] })).toThrow(/retry\.schedule/);
    expect(() => new RetryPolicy({ jitter: 1.5 })).toThrow(/retry\.jitter/);
    expect(() => new RetryPolicy({ maxRetryAfterMs: -5 })).toThrow(/retry\.maxRetryAfterMs/);
    expect(Object.isFrozen(new RetryPolicy())).toBe(true);
  });
});
