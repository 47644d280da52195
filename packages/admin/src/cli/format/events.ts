import type { EventDetail, EventRecord } from "@hookline/core";
import type { Colors } from "../context.js";
import { deliveriesTable } from "./deliveries.js";
import { renderFields, renderTable } from "./table.js";
import { clip, fmtTime, multiLine, oneLine } from "./text.js";
import { traceText } from "./trace.js";

export function eventsTable(c: Colors, items: readonly EventRecord[]): string {
  return renderTable(
    c,
    ["id (webhook-id)", "created", "event", "subject", "body"],
    items.map((e) => [
      oneLine(e.id),
      fmtTime(e.createdAt),
      oneLine(e.code),
      clip(e.subject, 24) || "-",
      clip(e.body, 60),
    ]),
  );
}

export function eventDetailText(c: Colors, e: EventDetail): string {
  const fields = renderFields(c, [
    ["event", `${oneLine(e.id)}  (the webhook-id of every delivery)`],
    ["code", oneLine(e.code)],
    ["subject", oneLine(e.subject) || "-"],
    ["created", fmtTime(e.createdAt)],
    ["idempotency key", oneLine(e.idempotencyKey) || "-"],
    ["trace", traceText(e.traceContext)],
  ]);
  return [
    fields,
    "",
    c.bold("Body (the exact bytes signed and sent):"),
    multiLine(e.body),
    "",
    c.bold(`Deliveries (${e.deliveries.length}):`),
    deliveriesTable(c, e.deliveries),
  ].join("\n");
}
