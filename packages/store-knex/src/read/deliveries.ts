import type { DeliveryDetail, DeliveryFilter, DeliverySummary, Page, PageRequest } from "@hookline/core";
import type { StoreContext } from "../context.js";
import {
  DELIVERY_COLUMNS,
  EVENT_COLUMNS,
  toAttemptRecord,
  toDeliverySummary,
  toEventRecord,
} from "../schema/rows.js";
import { whereDeliveries } from "./filters.js";
import { pageNewestFirst } from "./page.js";
import { waitingForOf } from "./waiting-for.js";

/** Deliveries matching `filter`, newest first. */
export function listDeliveries(
  ctx: StoreContext,
  filter: DeliveryFilter,
  page: PageRequest,
): Promise<Page<DeliverySummary>> {
  const q = whereDeliveries(ctx.db(ctx.t.deliveries).select(...DELIVERY_COLUMNS), filter);
  return pageNewestFirst(ctx.db, ctx.t.deliveries, q, page, toDeliverySummary);
}

/** One delivery with its event and every attempt, oldest first; null when unknown. */
export async function getDelivery(ctx: StoreContext, id: string): Promise<DeliveryDetail | null> {
  const { db, t } = ctx;
  if (typeof id !== "string") return null;
  const row = (await db(t.deliveries)
    .select(...DELIVERY_COLUMNS, "ordered")
    .where("id", id)
    .first()) as Record<string, unknown> | undefined;
  if (!row) return null;
  const [event, attempts, waitingFor] = await Promise.all([
    db(t.events)
      .select(...EVENT_COLUMNS)
      .where("id", row.event_id as string)
      .first() as Promise<Record<string, unknown>>,
    db(t.attempts)
      .select("*")
      .where("delivery_id", id)
      .orderBy([{ column: "started_at" }, { column: "attempt" }]) as Promise<Record<string, unknown>[]>,
    waitingForOf(ctx, row),
  ]);
  return {
    ...toDeliverySummary(row),
    waitingFor,
    event: toEventRecord(event),
    attemptLog: attempts.map(toAttemptRecord),
  };
}
