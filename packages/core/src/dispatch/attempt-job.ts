import type { Context } from "@opentelemetry/api";
import type { ClaimedDelivery, NewDelivery, NewEvent, StoredTraceContext } from "../contracts/store.js";

/** What one attempt needs: a claimed (or freshly inserted, pre-claimed) delivery. */
export interface AttemptJob {
  readonly deliveryId: string;
  readonly eventId: string;
  readonly eventCode: string;
  readonly endpointId: string;
  /** The event's subject: what ordering lines deliveries up by. */
  readonly subject: string | null;
  readonly body: string;
  readonly attempt: number;
  /** Admin replays of the delivery before this attempt, passed to the transport as `replay`. */
  readonly replay: number;
  readonly claimToken: string;
  /** When the claim's lease runs out (ms since the epoch, this process's clock). */
  readonly leaseExpiresAt: number;
  /** When the delivery was created (its event's createdAt), passed on to the store with the result. */
  readonly createdAt: Date;
  /** The emit's stored W3C trace context: remote parent of attempt 1, linked from later ones. */
  readonly traceContext: StoredTraceContext | null;
  /** The emit span's context, for a first attempt launched by emit() in this process. */
  readonly parentContext?: Context;
}

/**
 * The one way a claim becomes a job: the worker's claims and emit()'s pre-claimed rows alike.
 * `parentContext`: the emit span's context, when emit() sends the first attempt itself.
 */
export function toJob(
  claim: ClaimedDelivery,
  claimedAt: number,
  leaseMs: number,
  parentContext?: Context,
): AttemptJob {
  return {
    deliveryId: claim.id,
    eventId: claim.eventId,
    eventCode: claim.eventCode,
    endpointId: claim.endpointId,
    subject: claim.subject,
    body: claim.body,
    attempt: claim.attempts,
    replay: claim.replays,
    claimToken: claim.claimToken,
    leaseExpiresAt: claimedAt + leaseMs,
    createdAt: claim.eventCreatedAt,
    traceContext: claim.traceContext ?? null,
    ...(parentContext === undefined ? {} : { parentContext }),
  };
}

/**
 * The deliveries emit() inserted already claimed that `pick` accepts, as the claims a worker
 * would have taken.
 */
export function claimedOnInsert(event: NewEvent, pick: (d: NewDelivery) => boolean): ClaimedDelivery[] {
  const claimed: ClaimedDelivery[] = [];
  for (const d of event.deliveries) {
    if (!d.claim || !pick(d)) continue;
    claimed.push({
      id: d.id,
      eventId: event.id,
      eventCode: event.code,
      endpointId: d.endpointId,
      subject: event.subject,
      body: event.body,
      attempts: 1,
      replays: 0,
      claimToken: d.claim.token,
      eventCreatedAt: event.createdAt,
      traceContext: event.traceContext ?? null,
    });
  }
  return claimed;
}
