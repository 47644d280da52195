import type { AttemptRecord, DeliveryDetail } from "@hookline/core";
import Table from "cli-table3";

/** How the delivery log is printed. */
export interface PrintLogOptions {
  /**
   * Add a "destination" column (the kind of sink, from the URL scheme: http, amqp, nats…) and
   * the URL each attempt went to, as the log stored it (credentials redacted).
   * @default false
   */
  readonly destinations?: boolean;
}

/** Print the delivery log: one row per delivery, then every attempt with what was sent and answered. */
export function printDeliveryLog(
  deliveries: readonly DeliveryDetail[],
  print: (line: string) => void,
  opts: PrintLogOptions = {},
): void {
  const withKind = opts.destinations === true;
  const table = new Table({
    head: [
      "event",
      "endpoint",
      ...(withKind ? ["destination"] : []),
      "status",
      "HTTP",
      "attempts",
      "duration",
      "history",
    ],
    style: { head: [], border: [] },
  });
  for (const d of deliveries) {
    table.push([
      d.eventCode,
      d.endpointId,
      ...(withKind ? [destinationKind(d)] : []),
      d.status,
      String(d.lastStatus ?? "-"),
      String(d.attempts),
      `${d.attemptLog.reduce((ms, a) => ms + a.durationMs, 0)} ms`,
      d.attemptLog.map(answerOf).join(" → "),
    ]);
  }
  print("\nDelivery log");
  print(table.toString());
  print("\nWhat was sent (exact signed bytes) and what came back");
  const seen = new Set<string>();
  for (const d of deliveries) {
    if (!seen.has(d.eventId)) {
      seen.add(d.eventId);
      print(`  ${d.eventCode}  webhook-id ${d.eventId}\n    body: ${d.event.body}`);
    }
    for (const a of d.attemptLog) {
      const sentAt = a.startedAt.toISOString().slice(11, 23);
      const to = withKind && a.url !== null ? ` (${a.url})` : "";
      print(
        `    → ${d.endpointId}${to} attempt ${a.attempt} at ${sentAt}: ${answerOf(a)} ${a.responseBody ?? ""}`.trimEnd(),
      );
    }
  }
}

// A broker's acknowledgement carries no HTTP status and no error: show the outcome instead.
const answerOf = (a: AttemptRecord) => String(a.responseStatus ?? a.errorCode ?? a.outcome);

/** The sink an attempt went to, by the URL scheme the log stored ("http", "amqp", "nats"). */
function destinationKind(d: DeliveryDetail): string {
  const url = d.attemptLog.at(-1)?.url;
  return url == null ? "-" : url.slice(0, Math.max(0, url.indexOf(":")));
}
