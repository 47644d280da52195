import { type DeliveryStore, type NewEvent, newId } from "@hookline/core";
import { bodyFor, buyerPayload, EVENT_CODE } from "./payload.js";
import { inLanes } from "./wait.js";

/** One event with one unclaimed delivery: pending and due now, as a worker finds it after an outage. */
function dueEvent(i: number, endpointId: string): NewEvent {
  return {
    id: newId("evt"),
    code: EVENT_CODE,
    subject: buyerPayload(i).buyerId,
    body: bodyFor(i),
    idempotencyKey: null,
    createdAt: new Date(),
    deliveries: [{ id: newId("dlv"), endpointId }],
  };
}

/**
 * Insert `n` due deliveries through the store's own multi-row insert (batches of `batch`, two
 * at a time), so the rows are exactly what emit() would have stored unclaimed.
 */
export async function insertDue(
  store: DeliveryStore,
  n: number,
  opts: { endpointId: string; batch?: number },
): Promise<void> {
  const size = opts.batch ?? 1000;
  const batches = Math.ceil(n / size);
  await inLanes(batches, 2, async (b) => {
    const from = b * size;
    const to = Math.min(n, from + size);
    await store.insertEvents(
      Array.from({ length: to - from }, (_, k) => dueEvent(from + k, opts.endpointId)),
    );
  });
}
