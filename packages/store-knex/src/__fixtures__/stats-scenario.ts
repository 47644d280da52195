import type { DeliveryStore, NewEvent } from "@hookline/core";
import { makeEvent, makeOutcome, makeResult } from "@hookline/core/testing";

const HOUR = 3_600_000;

/** Deterministic pseudo-random numbers, so the scenario is the same for every store. */
function lcg(seed: number) {
  let s = seed;
  return (n: number) => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return s % n;
  };
}

/**
 * Events spread over four hours, two endpoints each, every attempt outcome and next state.
 * `passCreation`: results carry deliveryCreatedAt, as the pipeline's do.
 */
export async function scenario(
  stores: readonly DeliveryStore[],
  base: number,
  opts: { passCreation?: boolean } = {},
): Promise<void> {
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
      const result = makeResult(
        { id: d.id, claimToken: d.claim!.token, attempts: 1, endpointId: d.endpointId, eventCode: ev.code },
        makeOutcome(kind, { durationMs: 1 + rand(2000) }),
        next,
        new Date(ev.createdAt.getTime() + j * 1000 + rand(90_000)),
      );
      return opts.passCreation ? { ...result, deliveryCreatedAt: ev.createdAt } : result;
    }),
  );
  for (const s of stores) {
    await s.insertEvents(events);
    await s.complete(results);
  }
}
