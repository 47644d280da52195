import { expect } from "vitest";
import type { EndpointControl } from "../../contracts/delivery-control.js";
import type { AttemptResult, ClaimedDelivery, DeliveryStore, EndpointState } from "../../contracts/store.js";
import { makeOutcome, makeResult } from "../fixtures.js";

/** A claim's view of a delivery, as completions need it. */
export type Claim = Pick<ClaimedDelivery, "id" | "claimToken" | "attempts" | "endpointId" | "eventCode">;

/**
 * How far apart the store's clock and this process's may read at one instant: SQL servers on the
 * same machine read the same system clock, but round to milliseconds at different moments.
 */
export const CLOCK_SLACK_MS = 25;

/** Claim the due deliveries of ep-a and ep-b under `controls`. */
export function claimWith(
  store: DeliveryStore,
  controls: readonly EndpointControl[],
  opts: { readonly limit?: number; readonly leaseMs?: number; readonly workerId?: string } = {},
): Promise<ClaimedDelivery[]> {
  return store.claimDue({
    limit: opts.limit ?? 100,
    leaseMs: opts.leaseMs ?? 60_000,
    workerId: opts.workerId ?? "w",
    endpointIds: ["ep-a", "ep-b"],
    controls,
  });
}

export const countFor = (claims: readonly ClaimedDelivery[], endpointId: string) =>
  claims.filter((c) => c.endpointId === endpointId).length;

/** A failed attempt (500), due again at once. */
export const failed = (c: Claim, startedAt?: Date): AttemptResult =>
  makeResult(c, makeOutcome("retryable"), { status: "pending", delayMs: 0 }, startedAt);

export const succeeded = (c: Claim, startedAt?: Date): AttemptResult =>
  makeResult(c, makeOutcome("success"), { status: "succeeded" }, startedAt);

/** An attempt that never reached the receiver (`code`: an abort at stop, a disabled endpoint). */
export const notSent = (c: Claim, code: "HOOKLINE_ABORTED" | "HOOKLINE_ENDPOINT_DISABLED"): AttemptResult =>
  makeResult(
    c,
    { kind: "retryable", durationMs: 0, error: { code, message: "not sent" } },
    code === "HOOKLINE_ABORTED" ? { status: "pending", delayMs: 0 } : { status: "cancelled" },
  );

/** A 429 answer asking to wait `retryAfterMs`, due again at once (the pause alone holds it). */
export const tooMany = (c: Claim, retryAfterMs: number): AttemptResult =>
  makeResult(
    c,
    makeOutcome("retryable", {
      status: 429,
      retryAfterMs,
      error: { code: "HOOKLINE_HTTP_STATUS", message: "receiver answered 429" },
    }),
    { status: "pending", delayMs: 0 },
  );

export async function stateOf(store: DeliveryStore, endpointId: string): Promise<EndpointState | undefined> {
  return (await store.getEndpointStates()).find((s) => s.endpointId === endpointId);
}

/** `fn`'s result with the process clock read just before and just after it. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ result: T; before: number; after: number }> {
  const before = Date.now();
  const result = await fn();
  return { result, before, after: Date.now() };
}

/** `t`, which the store computed from its clock during `span`, is `offsetMs` after that moment. */
export function expectOffset(
  t: Date | null | undefined,
  span: { readonly before: number; readonly after: number },
  offsetMs: number,
): void {
  expect(t).toBeInstanceOf(Date);
  expect(t!.getTime()).toBeGreaterThanOrEqual(span.before + offsetMs - CLOCK_SLACK_MS);
  expect(t!.getTime()).toBeLessThanOrEqual(span.after + offsetMs + CLOCK_SLACK_MS);
}
