import type { AttemptRecord, DeliveryDetail, DeliverySummary } from "@hookline/core";
import type { Colors } from "../context.js";
import { statusText } from "./status.js";
import { renderFields, renderTable } from "./table.js";
import { clip, fmtMs, fmtTime, multiLine, oneLine } from "./text.js";
import { traceText } from "./trace.js";

/** The deliveries table of `deliveries list` and `events show`. */
export function deliveriesTable(c: Colors, items: readonly DeliverySummary[]): string {
  return renderTable(
    c,
    ["id", "created", "event", "endpoint", "subject", "status", "tries", "HTTP", "last error", "duration"],
    items.map((d) => [
      oneLine(d.id),
      fmtTime(d.createdAt),
      oneLine(d.eventCode),
      oneLine(d.endpointId),
      clip(d.subject, 24) || "-",
      statusText(c, d.status),
      String(d.attempts),
      d.lastStatus === null ? "-" : String(d.lastStatus),
      oneLine(d.lastErrorCode) || "-",
      fmtMs(d.lastDurationMs),
    ]),
  );
}

function headerLines(headers: Readonly<Record<string, string>> | null): string[] {
  if (!headers || Object.keys(headers).length === 0) return ["    (none)"];
  return Object.entries(headers).map(([k, v]) => `    ${oneLine(k)}: ${oneLine(v)}`);
}

/**
 * A request was recorded, but without a webhook-signature header: it went out unsigned. (A
 * signed request keeps the header, its value redacted; an attempt never sent records none.)
 */
export function unsignedAttempt(a: Pick<AttemptRecord, "requestHeaders">): boolean {
  const names = Object.keys(a.requestHeaders ?? {});
  return names.length > 0 && !names.some((k) => k.toLowerCase() === "webhook-signature");
}

/** HTTP attempts POST; a broker sink publishes. */
export function requestVerb(url: string | null): string {
  return url === null || /^https?:/i.test(url) ? "POST" : "publish";
}

function attemptBlock(c: Colors, a: AttemptRecord): string[] {
  // A broker records its answer (stream and sequence, exchange and ack) as a body without a status.
  const brokerAnswer = a.responseStatus === null && a.responseBody !== null;
  const answer =
    a.responseStatus !== null ? `HTTP ${a.responseStatus}` : brokerAnswer ? "broker answered" : "no response";
  const kind = a.outcome === "success" ? c.green(a.outcome) : c.red(a.outcome);
  const unsigned = unsignedAttempt(a) ? `  ${c.yellow("unsigned")} (no webhook-signature)` : "";
  const lines = [
    `${c.bold(`Attempt ${a.attempt}`)}  ${fmtTime(a.startedAt)}  ${answer}  ${kind}  ${fmtMs(a.durationMs)}`,
    `  request: ${requestVerb(a.url)} ${oneLine(a.url) || "(not sent)"}${unsigned}`,
    "  request headers (secrets redacted):",
    ...headerLines(a.requestHeaders),
  ];
  if (a.responseStatus !== null) {
    lines.push(`  response headers:`, ...headerLines(a.responseHeaders));
    const cut = a.responseTruncated ? c.yellow(" (truncated)") : "";
    lines.push(`  response body${cut}:`, multiLine(a.responseBody, "    "));
  } else if (brokerAnswer) {
    lines.push("  broker answer:", multiLine(a.responseBody, "    "));
  }
  if (a.errorCode)
    lines.push(
      `  error: ${c.red(oneLine(a.errorCode))}${a.errorMessage ? ` ${oneLine(a.errorMessage)}` : ""}`,
    );
  return lines;
}

// Ordered by subject: an earlier unfinished delivery of the same subject goes first.
function waitingText(c: Colors, d: DeliveryDetail): string {
  return d.waitingFor ? `  ${c.yellow("waiting for")} ${oneLine(d.waitingFor)}` : "";
}

// A delivery cancelled without an attempt (superseded, endpoint disabled) has its reason only here.
function lastErrorText(c: Colors, d: DeliveryDetail): string {
  if (!d.lastErrorCode) return "-";
  const note =
    d.lastErrorCode === "HOOKLINE_SUPERSEDED" ? c.dim("  (a newer state of the subject replaced it)") : "";
  return c.red(oneLine(d.lastErrorCode)) + note;
}

/** `deliveries show`: the delivery, the exact event body, and every attempt. */
export function deliveryDetailText(c: Colors, d: DeliveryDetail): string {
  const fields = renderFields(c, [
    ["delivery", oneLine(d.id)],
    ["event", `${oneLine(d.eventCode)}  (webhook-id ${oneLine(d.eventId)})`],
    ["trace", traceText(d.event.traceContext)],
    ["endpoint", oneLine(d.endpointId)],
    ["subject", oneLine(d.subject) || "-"],
    ["status", statusText(c, d.status) + waitingText(c, d)],
    ["last error", lastErrorText(c, d)],
    ["attempts", String(d.attempts)],
    ["created", fmtTime(d.createdAt)],
    ["updated", fmtTime(d.updatedAt)],
    ["next attempt", fmtTime(d.nextAttemptAt)],
  ]);
  const attempts = d.attemptLog.length
    ? d.attemptLog.flatMap((a) => ["", ...attemptBlock(c, a)])
    : ["", c.dim("No attempts recorded yet.")];
  return [
    fields,
    "",
    c.bold("Event body (the exact bytes signed and sent):"),
    multiLine(d.event.body),
    ...attempts,
  ].join("\n");
}
