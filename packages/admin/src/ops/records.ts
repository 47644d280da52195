import { type DeliveryDetail, type DeliveryStore, type EventDetail, redactHeaders } from "@hookline/core";
import { notFound } from "../errors.js";
import { parseId } from "../query/parse-limit.js";

/**
 * A delivery with every attempt; request headers pass through core's redaction again so a store
 * written by an older or foreign writer still never shows a credential.
 */
export async function readDelivery(store: DeliveryStore, id: string, what = "id"): Promise<DeliveryDetail> {
  const d = await store.getDelivery(parseId(what, id));
  if (!d) throw notFound("delivery", id);
  return {
    ...d,
    attemptLog: d.attemptLog.map((a) => ({
      ...a,
      requestHeaders: a.requestHeaders ? redactHeaders(a.requestHeaders) : null,
    })),
  };
}

/** An event with its deliveries. */
export async function readEvent(store: DeliveryStore, id: string, what = "id"): Promise<EventDetail> {
  const e = await store.getEvent(parseId(what, id));
  if (!e) throw notFound("event", id);
  return e;
}
