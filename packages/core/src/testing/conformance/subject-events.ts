import type { ClaimedDelivery, DeliveryDetail, DeliveryStore, NewEvent } from "../../contracts/store.js";
import { makeEvent } from "../fixtures.js";

/** What a test event of one subject is: its code, endpoints, claim and delivery-control flags. */
export interface SubjectEventOptions {
  readonly subject?: string | null;
  readonly code?: string;
  readonly endpoints?: readonly string[];
  /**
   * Inserted claimed by its emitter (sending, attempts 1), as emit() inserts a first attempt;
   * a string names the emitter's worker id (default "emitter").
   */
  readonly claim?: boolean | string;
  /** Every delivery orders by subject (NewDelivery.ordered). */
  readonly ordered?: boolean;
  /** Every delivery supersedes older pending ones (NewDelivery.supersede). */
  readonly supersede?: boolean;
}

/**
 * Events of one test, created `at` milliseconds after the test's start: emit order is the created
 * time (then the id), so a test sets it rather than relying on insert order.
 */
export function subjectEvents(start = Date.now() - 60_000) {
  return (at: number, opts: SubjectEventOptions = {}): NewEvent => {
    const ev = makeEvent({
      subject: opts.subject === undefined ? "s1" : opts.subject,
      code: opts.code ?? "post_code_change",
      endpoints: opts.endpoints ?? ["ep-a"],
      createdAt: new Date(start + at),
      ...(opts.claim
        ? { claim: { leaseMs: 60_000, ...(typeof opts.claim === "string" ? { workerId: opts.claim } : {}) } }
        : {}),
    });
    return {
      ...ev,
      deliveries: ev.deliveries.map((d) => ({
        ...d,
        ...(opts.ordered ? { ordered: true } : {}),
        ...(opts.supersede ? { supersede: true } : {}),
      })),
    };
  };
}

/** The first delivery's id. */
export const idOf = (ev: NewEvent, i = 0): string => ev.deliveries[i]!.id;

/** Claim everything due for ep-a and ep-b (no limits); `leaseMs` defaults to a minute. */
export function claimAll(store: DeliveryStore, leaseMs = 60_000): Promise<ClaimedDelivery[]> {
  return store.claimDue({ limit: 100, leaseMs, workerId: "w", endpointIds: ["ep-a", "ep-b"] });
}

/** Ids of a claim, sorted, to compare as sets. */
export const idsOf = (claims: readonly { readonly id: string }[]): string[] => claims.map((c) => c.id).sort();

/** The stored delivery; fails the test when it is missing. */
export async function detail(store: DeliveryStore, id: string): Promise<DeliveryDetail> {
  const d = await store.getDelivery(id);
  if (!d) throw new Error(`delivery ${id} is not stored`);
  return d;
}
