import { describe, expect, it } from "vitest";
import type { EndpointConfig } from "../endpoints/endpoint-config.js";
import { DEFAULT_BREAKER } from "../endpoints/endpoint-control.js";
import { resolveEndpoints } from "../endpoints/resolve-endpoints.js";
import { defineEvent } from "../events/define-event.js";
import { idleWait } from "../worker/idle-wait.js";
import { errorMessageOf, SECRET, schema } from "./helpers.js";

const base: EndpointConfig = { id: "crm", url: "https://crm.example.com/hooks", events: "*", secret: SECRET };
const resolveOne = (extra: Record<string, unknown>) =>
  resolveEndpoints([{ ...base, ...extra } as EndpointConfig], { knownCodes: ["order_placed"], env: {} })[0]!;
const messageFor = (extra: Record<string, unknown>) => errorMessageOf(() => resolveOne(extra));

describe("endpoint delivery-control options", () => {
  it("defaults: no ordering, supersede on, no limits, the default breaker; frozen", () => {
    const ep = resolveOne({});
    expect(ep).toMatchObject({
      ordering: "none",
      supersede: true,
      rateLimit: undefined,
      maxConcurrent: undefined,
      circuitBreaker: { failureThreshold: 10, cooldownMs: 30_000, maxCooldownMs: 600_000 },
    });
    expect(ep.control).toEqual({ endpointId: "crm", breaker: DEFAULT_BREAKER });
    expect(Object.isFrozen(ep.control)).toBe(true);
    expect(Object.isFrozen(ep.circuitBreaker)).toBe(true);
  });

  it("resolves every field once into the control handed to the store", () => {
    const ep = resolveOne({
      ordering: "subject",
      supersede: false,
      rateLimit: { perSecond: 2.5 },
      maxConcurrent: 4,
      circuitBreaker: { failureThreshold: 3, cooldownMs: 1_000 },
    });
    expect(ep).toMatchObject({ ordering: "subject", supersede: false, maxConcurrent: 4 });
    expect(ep.control).toEqual({
      endpointId: "crm",
      rateLimit: { perSecond: 2.5, burst: 3 },
      maxConcurrent: 4,
      breaker: { failureThreshold: 3, cooldownMs: 1_000, maxCooldownMs: 600_000 },
    });
    expect(Object.isFrozen(ep.rateLimit)).toBe(true);
  });

  it("burst defaults to max(1, ceil(perSecond)); a given burst is kept", () => {
    expect(resolveOne({ rateLimit: { perSecond: 0.5 } }).rateLimit).toEqual({ perSecond: 0.5, burst: 1 });
    expect(resolveOne({ rateLimit: { perSecond: 20 } }).rateLimit).toEqual({ perSecond: 20, burst: 20 });
    expect(resolveOne({ rateLimit: { perSecond: 20, burst: 5 } }).rateLimit).toEqual({
      perSecond: 20,
      burst: 5,
    });
  });

  it("circuitBreaker: false turns it off; the control then has no breaker", () => {
    const ep = resolveOne({ circuitBreaker: false });
    expect(ep.circuitBreaker).toBe(false);
    expect(ep.control).toEqual({ endpointId: "crm" });
  });

  it("a first cool-down longer than the default ceiling raises the ceiling", () => {
    expect(resolveOne({ circuitBreaker: { cooldownMs: 900_000 } }).circuitBreaker).toEqual({
      failureThreshold: 10,
      cooldownMs: 900_000,
      maxCooldownMs: 900_000,
    });
  });

  it.each([
    [
      { rateLimit: { perSecond: 0 } },
      'endpoint "crm" rateLimit.perSecond: expected a number > 0',
      "number 0",
    ],
    [{ rateLimit: { perSecond: -1 } }, "rateLimit.perSecond", "number -1"],
    [{ rateLimit: { perSecond: 10_001 } }, "at most 10000", "number 10001"],
    [{ rateLimit: { perSecond: Number.POSITIVE_INFINITY } }, "rateLimit.perSecond", "Infinity"],
    [{ rateLimit: { perSecond: "5" } }, "rateLimit.perSecond", '"5"'],
    [{ rateLimit: { burst: 5 } }, "rateLimit.perSecond", "undefined"],
    [
      { rateLimit: { perSecond: 5, burst: -2 } },
      'endpoint "crm" rateLimit.burst: expected an integer >= 1',
      "number -2",
    ],
    [{ rateLimit: { perSecond: 5, burst: 1.5 } }, "rateLimit.burst", "number 1.5"],
    [
      { rateLimit: { perSecond: 5, brust: 2 } },
      'endpoint "crm" rateLimit: unknown key "brust"',
      '(did you mean "burst"?)',
    ],
    [{ rateLimit: 5 }, 'endpoint "crm" rateLimit: expected an object', "number 5"],
    [{ ordering: "fifo" }, 'endpoint "crm" ordering: expected "none" or "subject"', '"fifo"'],
    [{ supersede: "no" }, 'endpoint "crm" supersede: expected a boolean', '"no"'],
    [{ maxConcurrent: 1.5 }, 'endpoint "crm" maxConcurrent: expected an integer >= 1', "number 1.5"],
    [{ maxConcurrent: 0 }, "maxConcurrent", "number 0"],
    [{ circuitBreaker: true }, 'endpoint "crm" circuitBreaker: expected false or an object', "boolean true"],
    [{ circuitBreaker: { failureThreshold: 0 } }, "circuitBreaker.failureThreshold", "number 0"],
    [{ circuitBreaker: { cooldownMs: 0 } }, "circuitBreaker.cooldownMs", "number 0"],
    [{ circuitBreaker: { cooldownMs: 86_400_001 } }, "circuitBreaker.cooldownMs", "86400001"],
    [
      { circuitBreaker: { cooldownMs: 60_000, maxCooldownMs: 30_000 } },
      "circuitBreaker.maxCooldownMs: expected at least cooldownMs (60000)",
      "number 30000",
    ],
    [{ circuitBreaker: { threshold: 3 } }, 'circuitBreaker: unknown key "threshold"', "failureThreshold"],
  ])("%j: HOOKLINE_INVALID_CONFIG naming the endpoint and the field", (extra, expected, given) => {
    const message = messageFor(extra);
    expect(message).toContain(expected);
    expect(message).toContain(given);
  });

  it("the new fields are strict endpoint keys: a typo names the nearest one", () => {
    expect(messageFor({ maxConcurrency: 2 })).toContain(
      'unknown key "maxConcurrency" (did you mean "maxConcurrent"?)',
    );
    expect(messageFor({ ratelimit: { perSecond: 1 } })).toContain('(did you mean "rateLimit"?)');
  });
});

describe("event definitions: supersede", () => {
  const def = (extra: Record<string, unknown>) => () =>
    defineEvent({
      code: "state_changed",
      description: "A subject's state changed.",
      schema: schema({ id: "string" }),
      ...extra,
    } as Parameters<typeof defineEvent>[0]);

  it("takes supersede: true with a subject, and keeps it on the frozen definition", () => {
    const d = def({ supersede: true, subject: (p: { id: string }) => p.id })();
    expect(d.supersede).toBe(true);
    expect(def({})().supersede).toBeUndefined();
  });

  it("refuses a non-boolean supersede, and supersede: true without a subject", () => {
    expect(errorMessageOf(def({ supersede: "yes" }), "HOOKLINE_INVALID_EVENT_DEFINITION")).toContain(
      'event "state_changed": expected supersede to be a boolean, got "yes"',
    );
    expect(errorMessageOf(def({ supersede: true }), "HOOKLINE_INVALID_EVENT_DEFINITION")).toContain(
      "expected a subject function with supersede: true",
    );
  });
});

describe("the worker's idle wait with rate-limited endpoints", () => {
  const limited = (perSecond: number, burst: number) => ({
    endpointId: "x",
    rateLimit: { perSecond, burst },
  });

  it("is the poll interval unless a bucket refills one token sooner", () => {
    expect(idleWait(1_000, [])).toBe(1_000);
    expect(idleWait(1_000, [{ endpointId: "x", maxConcurrent: 2 }])).toBe(1_000);
    expect(idleWait(1_000, [limited(20, 20)])).toBe(50);
    expect(idleWait(1_000, [limited(10, 1)])).toBe(100);
    expect(idleWait(1_000, [limited(0.5, 1), limited(4, 2)])).toBe(250);
    expect(idleWait(1_000, [limited(0.5, 1)])).toBe(1_000);
  });

  it("never polls faster than every 20 ms", () => {
    expect(idleWait(1_000, [limited(10_000, 1)])).toBe(20);
  });
});
