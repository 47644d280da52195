import type { NextState } from "../contracts/store.js";
import type { DeliveryOutcome } from "../contracts/transport.js";
import { invalidOption } from "../errors/hookline-error.js";
import { assertKnownKeys, keysOf } from "../util/strict-keys.js";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h: eight attempts over about 27.6 hours. */
export const DEFAULT_RETRY_SCHEDULE: readonly number[] = Object.freeze([
  5 * SECOND,
  5 * MINUTE,
  30 * MINUTE,
  2 * HOUR,
  5 * HOUR,
  10 * HOUR,
  10 * HOUR,
]);

/** Retry settings for an instance (endpoints may override `schedule`). */
export interface RetryOptions {
  /** Delay in ms after the 1st, 2nd, … failed attempt; past the end the delivery fails. @default DEFAULT_RETRY_SCHEDULE */
  readonly schedule?: readonly number[];
  /** Each delay is scaled by a random factor in [1 - jitter, 1 + jitter]. @default 0.2 */
  readonly jitter?: number;
  /** A receiver's Retry-After is honoured up to this many ms. @default 3_600_000 (1 h) */
  readonly maxRetryAfterMs?: number;
}

/** Every key of RetryOptions (the `retry` option of createHookline). */
export const RETRY_OPTION_KEYS = keysOf<RetryOptions>({
  schedule: true,
  jitter: true,
  maxRetryAfterMs: true,
});

/** Decides the state after each attempt. Options validated and frozen at construction. */
export class RetryPolicy {
  readonly schedule: readonly number[];
  readonly jitter: number;
  readonly maxRetryAfterMs: number;
  readonly #random: () => number;

  constructor(opts: RetryOptions = {}, random: () => number = Math.random) {
    assertKnownKeys(opts, RETRY_OPTION_KEYS, "retry");
    this.schedule = validateSchedule(opts.schedule ?? DEFAULT_RETRY_SCHEDULE, "retry.schedule");
    this.jitter = opts.jitter ?? 0.2;
    if (typeof this.jitter !== "number" || !(this.jitter >= 0 && this.jitter < 1)) {
      throw invalidOption("retry.jitter", "0 <= n < 1", opts.jitter);
    }
    this.maxRetryAfterMs = opts.maxRetryAfterMs ?? HOUR;
    if (!Number.isInteger(this.maxRetryAfterMs) || this.maxRetryAfterMs < 0) {
      throw invalidOption("retry.maxRetryAfterMs", "a non-negative integer", opts.maxRetryAfterMs);
    }
    this.#random = random;
    Object.freeze(this);
  }

  /**
   * The state after attempt number `attempt` (1-based) ended with `outcome`. A retryable failure
   * waits schedule[attempt-1] ± jitter, or the receiver's Retry-After if longer (capped).
   */
  next(attempt: number, outcome: DeliveryOutcome, endpointSchedule?: readonly number[]): NextState {
    if (outcome.kind === "success") return { status: "succeeded" };
    if (outcome.kind === "permanent") return { status: "failed" };
    const schedule = endpointSchedule ?? this.schedule;
    const base = schedule[attempt - 1];
    if (base === undefined) return { status: "failed" };
    const factor = 1 + (this.#random() * 2 - 1) * this.jitter;
    let delayMs = Math.round(base * factor);
    if (
      outcome.retryAfterMs !== undefined &&
      Number.isFinite(outcome.retryAfterMs) &&
      outcome.retryAfterMs >= 0
    ) {
      delayMs = Math.max(delayMs, Math.min(outcome.retryAfterMs, this.maxRetryAfterMs));
    }
    return { status: "pending", delayMs };
  }
}

function validateSchedule(schedule: readonly number[], name: string): readonly number[] {
  if (
    !Array.isArray(schedule) ||
    schedule.some((n) => typeof n !== "number" || !Number.isFinite(n) || n < 0)
  ) {
    throw invalidOption(name, "an array of non-negative millisecond delays", schedule);
  }
  return Object.freeze([...schedule]);
}
