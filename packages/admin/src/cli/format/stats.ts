import type { StatsRow } from "@hookline/core";
import type { Colors } from "../context.js";
import { renderTable } from "./table.js";
import { fmtMs, fmtRate, oneLine } from "./text.js";

function rateText(c: Colors, rate: number | null): string {
  if (rate === null) return "-";
  return rate >= 0.99 ? c.green(fmtRate(rate)) : rate >= 0.9 ? c.yellow(fmtRate(rate)) : c.red(fmtRate(rate));
}

/** `stats`: one row per (event code, endpoint). */
export function statsTable(c: Colors, rows: readonly StatsRow[]): string {
  return renderTable(
    c,
    ["event", "endpoint", "total", "succeeded", "failed", "pending", "cancelled", "success", "p50", "p95"],
    rows.map((r) => [
      oneLine(r.eventCode),
      oneLine(r.endpointId),
      String(r.total),
      String(r.counts.succeeded),
      String(r.counts.failed),
      String(r.counts.pending + r.counts.sending),
      String(r.counts.cancelled),
      rateText(c, r.successRate),
      fmtMs(r.p50Ms),
      fmtMs(r.p95Ms),
    ]),
  );
}
