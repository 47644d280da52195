import {
  type AttemptRecord,
  type DeliveryDetail,
  type DeliveryStore,
  type EventDetail,
  type ResolvedEndpoint,
  redactHeaders,
  redactUrl,
} from "@hookline/core";
import { notFound } from "../errors.js";
import { parseId } from "../query/parse-limit.js";

/** The `showHeaders` of an endpoint by id; an endpoint the config does not list shows none. */
export type ShowHeadersOf = (endpointId: string) => readonly string[];

/** No endpoint shows any header: every value but Hookline's own is redacted. */
export const SHOW_NONE: ShowHeadersOf = () => [];

/** ShowHeadersOf for the configured endpoints. */
export function showHeadersOf(endpoints: readonly ResolvedEndpoint[]): ShowHeadersOf {
  const byId = new Map(endpoints.map((e) => [e.id, e.showHeaders ?? []]));
  return (id) => byId.get(id) ?? [];
}

/**
 * A stored request under the log's rule, as core applies it when it records an attempt: query
 * values and userinfo redacted, header values redacted unless Hookline's own or listed in
 * `showHeaders`. Rows written before the rule existed are shown (and rewritten) the same way.
 */
export function redactStoredRequest(
  req: Pick<AttemptRecord, "url" | "requestHeaders">,
  showHeaders: readonly string[],
): Pick<AttemptRecord, "url" | "requestHeaders"> {
  return {
    url: req.url === null ? null : redactUrl(req.url),
    requestHeaders: req.requestHeaders === null ? null : redactHeaders(req.requestHeaders, showHeaders),
  };
}

/**
 * A delivery with every attempt; URLs and request headers pass through core's rule again so a
 * log written by an older or foreign writer still never shows a credential.
 */
export async function readDelivery(
  store: DeliveryStore,
  id: string,
  what = "id",
  show: ShowHeadersOf = SHOW_NONE,
): Promise<DeliveryDetail> {
  const d = await store.getDelivery(parseId(what, id));
  if (!d) throw notFound("delivery", id);
  const showHeaders = show(d.endpointId);
  return {
    ...d,
    // Always present, so API clients read one shape: null when nothing holds the delivery back.
    waitingFor: d.waitingFor ?? null,
    attemptLog: d.attemptLog.map((a) => ({ ...a, ...redactStoredRequest(a, showHeaders) })),
  };
}

/** An event with its deliveries. */
export async function readEvent(store: DeliveryStore, id: string, what = "id"): Promise<EventDetail> {
  const e = await store.getEvent(parseId(what, id));
  if (!e) throw notFound("event", id);
  return e;
}
