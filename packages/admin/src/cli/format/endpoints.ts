import type { EndpointView } from "../../ops/endpoints.js";
import type { Colors } from "../context.js";
import { circuitText, controlText } from "./control.js";
import { renderTable } from "./table.js";
import { clip, fmtAge, fmtRate, fmtTime, oneLine } from "./text.js";

function stateText(c: Colors, e: EndpointView): string {
  switch (e.state) {
    case "active":
      return c.green("active");
    case "misconfigured":
      // The sink refused the login or permissions: retries cannot help until the config changes.
      return c.red("misconfigured") + (e.lastErrorCode ? `\n${e.lastErrorCode}` : "");
    case "failing":
      // How long it has been failing is what auto-disable (5 days by default) is judged on.
      return (
        c.yellow("failing") + (e.health?.failingSince ? `\nsince ${fmtTime(e.health.failingSince)}` : "")
      );
    case "disabled":
      return c.red("disabled") + (e.disabledReason ? `\n${clip(e.disabledReason, 32)}` : "");
    default:
      return c.gray("idle");
  }
}

// Pending deliveries of an endpoint no process here configures wait for one that does.
function backlogText(c: Colors, e: EndpointView): string {
  const pending = e.health?.pending ?? 0;
  if (pending === 0) return "0";
  const since = `\nsince ${fmtTime(e.health?.oldestPendingAt)}`;
  return e.configured ? `${pending}${since}` : c.yellow(`${pending} waiting`) + since;
}

/** `endpoints`: configuration and health per endpoint; `now` dates the oldest due delivery's wait. */
export function endpointsTable(c: Colors, views: readonly EndpointView[], now: Date): string {
  return renderTable(
    c,
    [
      "endpoint",
      "destination",
      "url",
      "events",
      "control",
      "state",
      "circuit",
      "success",
      "consecutive failures",
      "last success",
      "last failure",
      "pending",
      "due",
      "oldest due",
    ],
    views.map((e) => [
      e.configured
        ? oneLine(e.id) + (e.signed === false ? `\n${c.yellow("unsigned")}` : "")
        : `${oneLine(e.id)}\n${c.dim("(not in config)")}`,
      e.destination ?? "-",
      oneLine(e.url) || "-",
      e.events === null ? "-" : e.events === "*" ? "*" : e.events.map(oneLine).join("\n"),
      controlText(e.control),
      stateText(c, e),
      circuitText(c, e, now),
      fmtRate(e.health?.successRate),
      String(e.health?.consecutiveFailures ?? 0),
      fmtTime(e.health?.lastSuccessAt),
      fmtTime(e.health?.lastFailureAt),
      backlogText(c, e),
      String(e.due),
      fmtAge(e.oldestDueAt, now),
    ]),
  );
}
