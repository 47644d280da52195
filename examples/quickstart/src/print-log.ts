import type { DeliveryDetail } from "@hookline/core";
import Table from "cli-table3";

/** Print the delivery log: one row per delivery, then every attempt with what was sent and answered. */
export function printDeliveryLog(deliveries: readonly DeliveryDetail[], print: (line: string) => void): void {
  const table = new Table({
    head: ["event", "endpoint", "status", "HTTP", "attempts", "duration", "history"],
    style: { head: [], border: [] },
  });
  for (const d of deliveries) {
    table.push([
      d.eventCode,
      d.endpointId,
      d.status,
      String(d.lastStatus ?? "-"),
      String(d.attempts),
      `${d.attemptLog.reduce((ms, a) => ms + a.durationMs, 0)} ms`,
      d.attemptLog.map((a) => a.responseStatus ?? a.errorCode).join(" → "),
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
      print(
        `    → ${d.endpointId} attempt ${a.attempt} at ${sentAt}: ${a.responseStatus ?? a.errorCode} ${a.responseBody ?? ""}`.trimEnd(),
      );
    }
  }
}
