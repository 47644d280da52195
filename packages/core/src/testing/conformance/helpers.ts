import type { ClaimedDelivery, DeliveryStore, NewEvent } from "../../contracts/store.js";

/** What each group of conformance cases needs from the suite. */
export interface ConformanceContext {
  /** The current test's fresh, migrated store. */
  readonly store: () => DeliveryStore;
  /** Lease used where a test waits for expiry. */
  readonly leaseMs: number;
}

export const HOUR = 3_600_000;

/** The claim an event was inserted with, as a completion needs it. */
export const claimOf = (
  ev: NewEvent,
  i = 0,
): Pick<ClaimedDelivery, "id" | "claimToken" | "attempts" | "endpointId" | "eventCode"> => {
  const d = ev.deliveries[i]!;
  return { id: d.id, claimToken: d.claim!.token, attempts: 1, endpointId: d.endpointId, eventCode: ev.code };
};
