import type { InsertReport, NewEvent } from "../contracts/store.js";
import type { Clock } from "../util/clock.js";
import type { MemoryControls } from "./memory-controls.js";
import { admissionReport, admitInserted } from "./memory-ordering.js";
import { type MemTables, storableTraceContext } from "./memory-rows.js";

/** DeliveryStore.insertEvents over the memory tables (the memory store has no transactions). */
export function insertEventRows(
  t: MemTables,
  controls: MemoryControls,
  batch: readonly NewEvent[],
  clock: Clock,
): InsertReport {
  const duplicates = new Map<string, { eventId: string; deliveryIds: string[] }>();
  const inserted: NewEvent[] = [];
  for (const ev of batch) {
    // Inserting an event that is already stored (a retried write) changes nothing.
    if (t.events.has(ev.id)) continue;
    const original = ev.idempotencyKey ? t.idempotency.get(ev.idempotencyKey) : undefined;
    if (original) {
      const deliveryIds = [...t.deliveries.values()].filter((d) => d.eventId === original).map((d) => d.id);
      duplicates.set(ev.id, { eventId: original, deliveryIds });
      continue;
    }
    t.events.set(ev.id, {
      id: ev.id,
      code: ev.code,
      subject: ev.subject,
      body: ev.body,
      idempotencyKey: ev.idempotencyKey,
      createdAt: ev.createdAt,
      traceContext: storableTraceContext(ev.traceContext),
    });
    if (ev.idempotencyKey) t.idempotency.set(ev.idempotencyKey, ev.id);
    inserted.push(ev);
    const now = clock.now();
    for (const nd of ev.deliveries) {
      t.deliveries.set(nd.id, {
        id: nd.id,
        eventId: ev.id,
        eventCode: ev.code,
        endpointId: nd.endpointId,
        subject: ev.subject,
        status: nd.cancelled ? "cancelled" : nd.claim ? "sending" : "pending",
        attempts: nd.claim && !nd.cancelled ? 1 : 0,
        replays: 0,
        ordered: nd.ordered === true,
        nextAttemptAt: nd.claim || nd.cancelled ? null : now,
        leaseUntil: nd.claim ? new Date(now.getTime() + nd.claim.leaseMs) : null,
        claimToken: nd.claim?.token ?? null,
        claimedBy: nd.claim?.workerId ?? null,
        lastStatus: null,
        lastErrorCode: null,
        lastDurationMs: null,
        createdAt: ev.createdAt,
        updatedAt: now,
      });
    }
  }
  // Held first: a delivery put back pending there is one a newer state of the batch supersedes.
  const unclaimed = holdClaimed(t, controls, batch, clock.now());
  const admitted = admitInserted(t, inserted, clock.now());
  for (const id of admitted.unclaimed) unclaimed.add(id);
  return { duplicates, ...(unclaimed.size > 0 ? { unclaimed } : {}), ...admissionReport(admitted) };
}

// Claimed inserts to an endpoint whose circuit is not closed, or that is paused, go in pending.
function holdClaimed(
  t: MemTables,
  controls: MemoryControls,
  batch: readonly NewEvent[],
  now: Date,
): Set<string> {
  const held = new Set<string>();
  for (const nd of batch.flatMap((ev) => ev.deliveries)) {
    const d = t.deliveries.get(nd.id);
    if (!nd.claim || d?.status !== "sending" || d.claimToken !== nd.claim.token) continue;
    if (!controls.holds(d.endpointId, now)) continue;
    Object.assign(d, {
      status: "pending",
      attempts: 0,
      nextAttemptAt: now,
      leaseUntil: null,
      claimToken: null,
      claimedBy: null,
    });
    held.add(d.id);
  }
  return held;
}
