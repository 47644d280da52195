import {
  DELIVERY_STATUSES,
  type DeliveryFilter,
  type DeliveryStatus,
  type EventFilter,
  invalidOption,
} from "@hookline/core";
import type { Knex } from "knex";

const invalid = (field: string, expected: string, got: unknown) => invalidOption(field, expected, got);

function stringList(field: string, v: unknown): readonly string[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string"))
    throw invalid(field, "an array of strings", v);
  return v;
}

function optString(field: string, v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== "string") throw invalid(field, "a string", v);
  return v;
}

function optDate(field: string, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  if (!(v instanceof Date) || Number.isNaN(v.getTime())) throw invalid(field, "a valid Date", v);
  return v.getTime();
}

function statuses(v: unknown): readonly DeliveryStatus[] | undefined {
  const list = stringList("filter.status", v);
  const known: readonly string[] = DELIVERY_STATUSES;
  if (list?.some((s) => !known.includes(s)))
    throw invalid("filter.status", `an array of ${DELIVERY_STATUSES.join(" | ")}`, v);
  return list as readonly DeliveryStatus[] | undefined;
}

/** Narrow `q` (on the deliveries table, optionally aliased) by every field of `f`. */
export function whereDeliveries(q: Knex.QueryBuilder, f: DeliveryFilter, alias = ""): Knex.QueryBuilder {
  if (typeof f !== "object" || f === null) throw invalid("filter", "an object", f);
  const c = (col: string) => (alias ? `${alias}.${col}` : col);
  const status = statuses(f.status);
  const codes = stringList("filter.eventCode", f.eventCode);
  const endpoints = stringList("filter.endpointId", f.endpointId);
  const subject = optString("filter.subject", f.subject);
  const eventId = optString("filter.eventId", f.eventId);
  const since = optDate("filter.since", f.since);
  const until = optDate("filter.until", f.until);
  if (status) q.whereIn(c("status"), [...status]);
  if (codes) q.whereIn(c("event_code"), [...codes]);
  if (endpoints) q.whereIn(c("endpoint_id"), [...endpoints]);
  if (subject !== undefined) q.where(c("subject"), subject);
  if (eventId !== undefined) q.where(c("event_id"), eventId);
  if (since !== undefined) q.where(c("created_at"), ">=", since);
  if (until !== undefined) q.where(c("created_at"), "<", until);
  return q;
}

/** Narrow `q` (on the events table) by every field of `f`. */
export function whereEvents(q: Knex.QueryBuilder, f: EventFilter): Knex.QueryBuilder {
  if (typeof f !== "object" || f === null) throw invalid("filter", "an object", f);
  const codes = stringList("filter.eventCode", f.eventCode);
  const subject = optString("filter.subject", f.subject);
  const since = optDate("filter.since", f.since);
  const until = optDate("filter.until", f.until);
  if (codes) q.whereIn("code", [...codes]);
  if (subject !== undefined) q.where("subject", subject);
  if (since !== undefined) q.where("created_at", ">=", since);
  if (until !== undefined) q.where("created_at", "<", until);
  return q;
}
