import type { EventDetail, EventFilter, EventRecord, Page, PageRequest } from "@hookline/core";
import type { StoreContext } from "../context.js";
import { DELIVERY_COLUMNS, EVENT_COLUMNS, toDeliverySummary, toEventRecord } from "../schema/rows.js";
import { whereEvents } from "./filters.js";
import { pageNewestFirst } from "./page.js";

/** Events matching `filter`, newest first, bodies included. */
export function listEvents(
  ctx: StoreContext,
  filter: EventFilter,
  page: PageRequest,
): Promise<Page<EventRecord>> {
  const q = whereEvents(ctx.db(ctx.t.events).select(...EVENT_COLUMNS), filter);
  return pageNewestFirst(ctx.db, ctx.t.events, q, page, toEventRecord);
}

/** One event with its deliveries (oldest first); null when unknown. */
export async function getEvent(ctx: StoreContext, id: string): Promise<EventDetail | null> {
  const { db, t } = ctx;
  if (typeof id !== "string") return null;
  const row = (await db(t.events)
    .select(...EVENT_COLUMNS)
    .where("id", id)
    .first()) as Record<string, unknown> | undefined;
  if (!row) return null;
  const deliveries = (await db(t.deliveries)
    .select(...DELIVERY_COLUMNS)
    .where("event_id", id)
    .orderBy("id")) as Record<string, unknown>[];
  return { ...toEventRecord(row), deliveries: deliveries.map(toDeliverySummary) };
}
