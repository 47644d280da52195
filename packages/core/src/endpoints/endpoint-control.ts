import type { BreakerSettings, EndpointControl } from "../contracts/delivery-control.js";
import { describeValue, HooklineError } from "../errors/hookline-error.js";
import { assertKnownKeys, keysOf } from "../util/strict-keys.js";

/** How an endpoint orders its deliveries. */
export type EndpointOrdering = "none" | "subject";

/** A token bucket, as configured. */
export interface EndpointRateLimitConfig {
  /** Sustained sends per second, all processes together; fractions allowed (0.5: one every 2 s). At most 10 000. */
  readonly perSecond: number;
  /** Sends that may go at once after a quiet spell (an integer >= 1). @default max(1, ceil(perSecond)) */
  readonly burst?: number;
}

/** When the endpoint's circuit opens and for how long. */
export interface CircuitBreakerConfig {
  /** Consecutive failed attempts (all processes together) that open the circuit. @default 10 */
  readonly failureThreshold?: number;
  /** The first cool-down, in ms; each failed probe doubles it. @default 30000 */
  readonly cooldownMs?: number;
  /** The longest cool-down, in ms. @default 600000 (or cooldownMs, when that is longer) */
  readonly maxCooldownMs?: number;
}

/** The delivery-control fields of an endpoint, as written in the config. */
export interface EndpointControlConfig {
  readonly ordering?: EndpointOrdering;
  readonly supersede?: boolean;
  readonly rateLimit?: EndpointRateLimitConfig;
  readonly maxConcurrent?: number;
  readonly circuitBreaker?: false | CircuitBreakerConfig;
}

/** The delivery-control fields after validation, defaults applied, frozen. */
export interface ResolvedControl {
  readonly ordering: EndpointOrdering;
  readonly supersede: boolean;
  readonly rateLimit: { readonly perSecond: number; readonly burst: number } | undefined;
  readonly maxConcurrent: number | undefined;
  readonly circuitBreaker: false | BreakerSettings;
  /** What the claimer hands the store for this endpoint. */
  readonly control: EndpointControl;
}

/** The breaker every endpoint gets unless it says `circuitBreaker: false`. */
export const DEFAULT_BREAKER: BreakerSettings = Object.freeze({
  failureThreshold: 10,
  cooldownMs: 30_000,
  maxCooldownMs: 600_000,
});
const MAX_PER_SECOND = 10_000;
// Cool-downs beyond a day would hide a recovered receiver for longer than any retry schedule step.
const MAX_COOLDOWN_MS = 86_400_000;
const RATE_LIMIT_KEYS = keysOf<EndpointRateLimitConfig>({ perSecond: true, burst: true });
const BREAKER_KEYS = keysOf<CircuitBreakerConfig>({
  failureThreshold: true,
  cooldownMs: true,
  maxCooldownMs: true,
});

const isPositiveInt = (n: unknown, max = Number.MAX_SAFE_INTEGER): n is number =>
  Number.isSafeInteger(n) && (n as number) >= 1 && (n as number) <= max;

/**
 * Validate `cfg`'s ordering, supersede, rateLimit, maxConcurrent and circuitBreaker. `at(field)`
 * names the endpoint and the field in each error.
 */
export function resolveControl(
  endpointId: string,
  cfg: EndpointControlConfig,
  at: (field: string) => string,
): ResolvedControl {
  const fail = (field: string, expected: string, given: unknown) =>
    new HooklineError(
      "HOOKLINE_INVALID_CONFIG",
      `${at(field)}: expected ${expected}, got ${describeValue(given)}`,
    );
  const ordering = cfg.ordering ?? "none";
  if (ordering !== "none" && ordering !== "subject") {
    throw fail("ordering", `"none" or "subject"`, cfg.ordering);
  }
  if (cfg.supersede !== undefined && typeof cfg.supersede !== "boolean") {
    throw fail("supersede", "a boolean", cfg.supersede);
  }
  const rateLimit = resolveRateLimit(cfg.rateLimit, at, fail);
  if (cfg.maxConcurrent !== undefined && !isPositiveInt(cfg.maxConcurrent)) {
    throw fail("maxConcurrent", "an integer >= 1", cfg.maxConcurrent);
  }
  const circuitBreaker = resolveBreaker(cfg.circuitBreaker, at, fail);
  const control: EndpointControl = Object.freeze({
    endpointId,
    ...(rateLimit ? { rateLimit } : {}),
    ...(cfg.maxConcurrent === undefined ? {} : { maxConcurrent: cfg.maxConcurrent }),
    ...(circuitBreaker === false ? {} : { breaker: circuitBreaker }),
  });
  return {
    ordering,
    supersede: cfg.supersede ?? true,
    rateLimit,
    maxConcurrent: cfg.maxConcurrent,
    circuitBreaker,
    control,
  };
}

type Fail = (field: string, expected: string, given: unknown) => HooklineError;

function resolveRateLimit(
  given: EndpointRateLimitConfig | undefined,
  at: (field: string) => string,
  fail: Fail,
): ResolvedControl["rateLimit"] {
  if (given === undefined) return undefined;
  assertKnownKeys(given, RATE_LIMIT_KEYS, at("rateLimit"), "HOOKLINE_INVALID_CONFIG");
  const { perSecond, burst } = given;
  if (
    typeof perSecond !== "number" ||
    !Number.isFinite(perSecond) ||
    perSecond <= 0 ||
    perSecond > MAX_PER_SECOND
  ) {
    throw fail("rateLimit.perSecond", `a number > 0 and at most ${MAX_PER_SECOND}`, perSecond);
  }
  if (burst !== undefined && !isPositiveInt(burst)) throw fail("rateLimit.burst", "an integer >= 1", burst);
  return Object.freeze({ perSecond, burst: burst ?? Math.max(1, Math.ceil(perSecond)) });
}

function resolveBreaker(
  given: false | CircuitBreakerConfig | undefined,
  at: (field: string) => string,
  fail: Fail,
): false | BreakerSettings {
  if (given === false) return false;
  if (given === undefined) return DEFAULT_BREAKER;
  if ((given as unknown) === true) {
    throw fail("circuitBreaker", "false or an object (the breaker is on by default)", given);
  }
  assertKnownKeys(given, BREAKER_KEYS, at("circuitBreaker"), "HOOKLINE_INVALID_CONFIG");
  const { failureThreshold, cooldownMs, maxCooldownMs } = given;
  if (failureThreshold !== undefined && !isPositiveInt(failureThreshold)) {
    throw fail("circuitBreaker.failureThreshold", "an integer >= 1", failureThreshold);
  }
  const msRange = `an integer from 1 to ${MAX_COOLDOWN_MS} (ms)`;
  if (cooldownMs !== undefined && !isPositiveInt(cooldownMs, MAX_COOLDOWN_MS)) {
    throw fail("circuitBreaker.cooldownMs", msRange, cooldownMs);
  }
  if (maxCooldownMs !== undefined && !isPositiveInt(maxCooldownMs, MAX_COOLDOWN_MS)) {
    throw fail("circuitBreaker.maxCooldownMs", msRange, maxCooldownMs);
  }
  const cooldown = cooldownMs ?? DEFAULT_BREAKER.cooldownMs;
  if (maxCooldownMs !== undefined && maxCooldownMs < cooldown) {
    throw fail("circuitBreaker.maxCooldownMs", `at least cooldownMs (${cooldown})`, maxCooldownMs);
  }
  return Object.freeze({
    failureThreshold: failureThreshold ?? DEFAULT_BREAKER.failureThreshold,
    cooldownMs: cooldown,
    // A long first cool-down given alone raises the ceiling instead of being an error.
    maxCooldownMs: maxCooldownMs ?? Math.max(DEFAULT_BREAKER.maxCooldownMs, cooldown),
  });
}
