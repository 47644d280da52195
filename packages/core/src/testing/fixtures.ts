import type { AttemptResult, ClaimedDelivery, NewEvent, NextState } from "../contracts/store.js";
import type { DeliveryOutcome } from "../contracts/transport.js";
import { newId } from "../util/ids.js";

/** Build a NewEvent with one delivery per endpoint id, for store tests. */
export function makeEvent(
  opts: {
    code?: string;
    subject?: string | null;
    endpoints?: readonly string[];
    body?: string;
    idempotencyKey?: string | null;
    claim?: { leaseMs: number; workerId?: string };
    createdAt?: Date;
  } = {},
): NewEvent {
  const code = opts.code ?? "add_credits";
  return {
    id: newId("evt"),
    code,
    subject: opts.subject === undefined ? "buyer-1" : opts.subject,
    body: opts.body ?? JSON.stringify({ buyerId: "0000", eventCode: code }),
    idempotencyKey: opts.idempotencyKey ?? null,
    createdAt: opts.createdAt ?? new Date(),
    deliveries: (opts.endpoints ?? ["ep-a"]).map((endpointId) => ({
      id: newId("dlv"),
      endpointId,
      ...(opts.claim
        ? {
            claim: {
              token: newId("clm"),
              leaseMs: opts.claim.leaseMs,
              workerId: opts.claim.workerId ?? "emitter",
            },
          }
        : {}),
    })),
  };
}

/** An outcome value for store tests. */
export function makeOutcome(
  kind: DeliveryOutcome["kind"],
  extra: Partial<DeliveryOutcome> = {},
): DeliveryOutcome {
  return {
    kind,
    durationMs: 12,
    ...(kind === "success"
      ? { status: 200, headers: { "content-type": "text/plain" }, body: "ok", bodyTruncated: false }
      : {
          status: 500,
          body: "boom",
          error: { code: "HOOKLINE_HTTP_STATUS", message: "receiver answered 500" },
        }),
    ...extra,
  };
}

/** An AttemptResult completing `claim` with `outcome` and `next`. */
export function makeResult(
  claim: Pick<ClaimedDelivery, "id" | "claimToken" | "attempts" | "endpointId" | "eventCode">,
  outcome: DeliveryOutcome,
  next: NextState,
  startedAt: Date = new Date(),
): AttemptResult {
  return {
    deliveryId: claim.id,
    endpointId: claim.endpointId,
    eventCode: claim.eventCode,
    claimToken: claim.claimToken,
    attemptId: newId("att"),
    attempt: claim.attempts,
    startedAt,
    request: {
      url: "http://127.0.0.1:9/hook",
      headers: { "content-type": "application/json", authorization: "[redacted]" },
    },
    outcome,
    next,
  };
}

/** Resolve after `ms` of real time (stores compare leases on their own clock). */
export const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
