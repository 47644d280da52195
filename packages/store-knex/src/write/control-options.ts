import { describeValue, type EndpointControl, HooklineError } from "@hookline/core";

const isInt = (v: unknown, min: number) => Number.isSafeInteger(v) && (v as number) >= min;

function check(c: EndpointControl, i: number, where: string): void {
  const fail = (field: string, expected: string, got: unknown) =>
    new HooklineError(
      "HOOKLINE_INVALID_OPTION",
      `${where} controls[${i}]${field}: expected ${expected}, got ${describeValue(got)}`,
    );
  if (typeof c !== "object" || c === null) throw fail("", "an object", c);
  if (typeof c.endpointId !== "string" || c.endpointId.length === 0 || c.endpointId.length > 255)
    throw fail(".endpointId", "a non-empty string of at most 255 chars", c.endpointId);
  const rate = c.rateLimit;
  if (rate !== undefined) {
    const ps = rate?.perSecond;
    if (typeof ps !== "number" || !Number.isFinite(ps) || ps <= 0)
      throw fail(".rateLimit.perSecond", "a finite number > 0", ps);
    if (!isInt(rate.burst, 1)) throw fail(".rateLimit.burst", "an integer >= 1", rate.burst);
  }
  if (c.maxConcurrent !== undefined && !isInt(c.maxConcurrent, 1))
    throw fail(".maxConcurrent", "an integer >= 1", c.maxConcurrent);
  const b = c.breaker;
  if (b !== undefined) {
    if (!isInt(b?.failureThreshold, 1))
      throw fail(".breaker.failureThreshold", "an integer >= 1", b?.failureThreshold);
    if (!isInt(b.cooldownMs, 1)) throw fail(".breaker.cooldownMs", "an integer >= 1", b.cooldownMs);
    if (!isInt(b.maxCooldownMs, b.cooldownMs))
      throw fail(".breaker.maxCooldownMs", `an integer >= cooldownMs (${b.cooldownMs})`, b.maxCooldownMs);
  }
}

/**
 * The controls of a claimDue or complete call by endpoint id, checked: a bad value would corrupt
 * state every process shares (a NaN bucket, a circuit that never closes). Undefined when absent.
 */
export function controlsById(
  controls: readonly EndpointControl[] | undefined,
  where: "claimDue" | "complete",
): Map<string, EndpointControl> | undefined {
  if (controls === undefined) return undefined;
  if (!Array.isArray(controls))
    throw new HooklineError(
      "HOOKLINE_INVALID_OPTION",
      `${where} controls: expected an array, got ${describeValue(controls)}`,
    );
  const out = new Map<string, EndpointControl>();
  controls.forEach((c, i) => {
    check(c, i, where);
    out.set(c.endpointId, c);
  });
  return out;
}
