import type {
  DeliveryDetail,
  DeliveryFilter,
  DeliverySummary,
  EventDetail,
  EventFilter,
  EventRecord,
} from "../contracts/store.js";
import { heldBy, subjectHeads } from "./memory-ordering.js";
import { type MemDelivery, type MemTables, pageById, summarize } from "./memory-rows.js";

type Page = { limit: number; cursor?: string | null };

/** Whether a delivery row passes a DeliveryFilter (listing and requeue by filter). */
export function matches(d: MemDelivery, f: DeliveryFilter): boolean {
  return (
    (!f.status || f.status.includes(d.status)) &&
    (!f.eventCode || f.eventCode.includes(d.eventCode)) &&
    (!f.endpointId || f.endpointId.includes(d.endpointId)) &&
    (f.subject === undefined || d.subject === f.subject) &&
    (f.eventId === undefined || d.eventId === f.eventId) &&
    (!f.since || d.createdAt >= f.since) &&
    (!f.until || d.createdAt < f.until)
  );
}

/** DeliveryStore.listDeliveries over the memory tables. */
export function listDeliveryRows(
  t: MemTables,
  filter: DeliveryFilter,
  page: Page,
): { items: DeliverySummary[]; nextCursor: string | null } {
  const rows = [...t.deliveries.values()].filter((d) => matches(d, filter));
  const p = pageById(rows, page.limit, page.cursor);
  return { items: p.items.map(summarize), nextCursor: p.nextCursor };
}

/** DeliveryStore.getDelivery over the memory tables. */
export function deliveryDetail(t: MemTables, id: string): DeliveryDetail | null {
  const d = t.deliveries.get(id);
  if (!d) return null;
  const attemptLog = t.attempts
    .filter((a) => a.deliveryId === id)
    .map(({ endpointId: _e, ...a }) => a)
    .sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime() || a.attempt - b.attempt);
  const waitingFor = heldBy(subjectHeads(t), d)?.id ?? null;
  return { ...summarize(d), waitingFor, event: t.events.get(d.eventId)!, attemptLog };
}

/** DeliveryStore.listEvents over the memory tables. */
export function listEventRows(t: MemTables, filter: EventFilter, page: Page) {
  const rows = [...t.events.values()].filter(
    (e) =>
      (!filter.eventCode || filter.eventCode.includes(e.code)) &&
      (filter.subject === undefined || e.subject === filter.subject) &&
      (!filter.since || e.createdAt >= filter.since) &&
      (!filter.until || e.createdAt < filter.until),
  );
  return pageById<EventRecord>(rows, page.limit, page.cursor);
}

/** DeliveryStore.getEvent over the memory tables. */
export function eventDetail(t: MemTables, id: string): EventDetail | null {
  const e = t.events.get(id);
  if (!e) return null;
  const deliveries = [...t.deliveries.values()].filter((d) => d.eventId === id).map(summarize);
  return { ...e, deliveries };
}
