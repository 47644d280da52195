import type { Report } from "./report.js";

interface Diagnostic {
  cpuPctOfOneCore?: Record<string, number>;
  storeCalls?: Record<string, { calls: number; msTotal: number; msPerCall: number; itemsPerCall: number }>;
}

const cpuText = (c: Record<string, number>): string => {
  const { machineBusyPct, ...procs } = c;
  return `CPU in % of one core: ${Object.entries(procs)
    .map(([k, v]) => `${k} ${v}`)
    .join(", ")}; machine ${machineBusyPct} % busy`;
};

const storeText = (s: NonNullable<Diagnostic["storeCalls"]>): string =>
  `store: ${Object.entries(s)
    .filter(([, v]) => v.msTotal > 0)
    .sort((a, b) => b[1].msTotal - a[1].msTotal)
    .map(([k, v]) => `${k} ${v.calls}× ${v.msPerCall} ms (${v.itemsPerCall}/call)`)
    .join(", ")}`;

/**
 * Where the time went in the last round of each throughput scenario: CPU split between the bench
 * processes, the database server and everything else on the machine, and per-call store timings.
 */
export function diagnosticLines(r: Report): string[] {
  const lines: string[] = [];
  for (const s of r.scenarios) {
    for (const [name, value] of Object.entries(s.info ?? {})) {
      const d = value as Diagnostic;
      if (!d || typeof d !== "object" || (!d.cpuPctOfOneCore && !d.storeCalls)) continue;
      const parts = [
        d.cpuPctOfOneCore && cpuText(d.cpuPctOfOneCore),
        d.storeCalls && storeText(d.storeCalls),
      ];
      lines.push(`- **${s.id}. ${name}**: ${parts.filter(Boolean).join(". ")}`);
    }
  }
  return lines.length === 0
    ? []
    : [
        "",
        "## Diagnostics (last round)",
        "",
        "CPU is in % of one core over the measured interval, from /proc; the database server is shared with other clients on this machine, so its share includes their queries. Store timings are wall-clock per call, including pool waits and event-loop delay.",
        "",
        ...lines,
      ];
}
