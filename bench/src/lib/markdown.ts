import { diagnosticLines } from "./markdown-diagnostics.js";
import type { Report } from "./report.js";
import { round } from "./stats.js";
import type { TargetResult } from "./targets.js";

const fmt = (v: number | null | undefined): string =>
  v == null || !Number.isFinite(v) ? "–" : String(round(v));
const cell = (v: unknown): string => String(v).replaceAll("|", "\\|").replaceAll("\n", " ");
const row = (cells: readonly unknown[]): string => `| ${cells.map(cell).join(" | ")} |`;
const table = (head: readonly string[], rows: readonly (readonly unknown[])[]): string[] => [
  row(head),
  row(head.map(() => "---")),
  ...rows.map(row),
];

function achieved(t: TargetResult): string {
  if (t.achieved === null) return "–";
  if (t.id === "e2e-logged") return `${t.achieved} pass`;
  return t.required.startsWith("≥") || t.status === "reported" ? `${fmt(t.achieved)}×` : fmt(t.achieved);
}

function targetRows(r: Report): string[] {
  return table(
    ["Target", "Required", "Achieved", "Margin", "Per round", "Status"],
    r.targets.map((t) => [
      t.label,
      t.required,
      achieved(t),
      t.margin === null ? "–" : `${fmt(t.margin)}×`,
      t.perRound ? t.perRound.map((x) => `${fmt(x)}×`).join(", ") : "",
      t.status === "met"
        ? "**met**"
        : t.status === "not met"
          ? "**NOT MET**"
          : t.status === "reported"
            ? "reported"
            : "not run",
    ]),
  );
}

function figureRows(r: Report): string[] {
  return table(
    ["#", "Scenario", "Figure", "Median", "Unit", "Rounds"],
    r.scenarios.flatMap((s) =>
      s.figures.map((f) => [s.id, s.title, f.label, fmt(f.median), f.unit, f.rounds.map(fmt).join(", ")]),
    ),
  );
}

interface PlanRow {
  query: string;
  table: string;
  type: string;
  key: string | null;
  rows: number | null;
  extra: string;
  usesIndex: boolean;
}

function planRows(r: Report): string[] {
  const plans = r.scenarios.flatMap((s) => (s.info?.plans as PlanRow[] | undefined) ?? []);
  if (plans.length === 0) return [];
  return [
    "",
    "## EXPLAIN plans of the admin queries (MariaDB)",
    "",
    ...table(
      ["Query", "Table", "Access", "Key", "Rows (est.)", "Extra", "Index used"],
      plans.map((p) => [
        p.query,
        p.table,
        p.type,
        p.key ?? "–",
        p.rows ?? "–",
        p.extra,
        p.usesIndex ? "yes" : "**no**",
      ]),
    ),
  ];
}

function settingsLines(r: Report): string[] {
  return r.scenarios.map(
    (s) =>
      `- **${s.id}. ${s.title}** (${s.seconds} s): ${Object.entries(s.settings)
        .map(([k, v]) => `${k}=${typeof v === "object" ? JSON.stringify(v) : String(v)}`)
        .join(", ")}`,
  );
}

function problemLines(r: Report): string[] {
  const failed = r.scenarios.flatMap((s) =>
    s.checks
      .filter((c) => !c.ok)
      .map((c) => `- check failed: ${s.id}. ${c.name} (round ${c.round}): ${c.detail}`),
  );
  const errors = r.scenarios.filter((s) => s.error).map((s) => `- error: ${s.id}. ${s.title}: ${s.error}`);
  const total = r.scenarios.reduce((n, s) => n + s.checks.length, 0);
  return [`${total - failed.length}/${total} log checks passed.`, ...failed, ...errors];
}

export function renderMarkdown(r: Report): string {
  const m = r.machine;
  return [
    `# Hookline benchmark, ${r.startedAt}`,
    "",
    `Command: \`${r.command}\` (${r.options.quick ? "quick sizes" : "full sizes"}, ${r.options.rounds} round(s), every figure the median over rounds).`,
    `Machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGb} GB, Node ${m.node}, ${m.mariadb}, ${m.postgresql}. Load average at start ${m.loadAverage.join(" / ")}, at end ${r.loadAverageAfter.join(" / ")}.`,
    `Event body: ${r.bodyBytes} bytes (user_credits_zero). Finished ${r.finishedAt}.`,
    "",
    "## Targets",
    "",
    "Margin ≥ 1× means met (achieved ÷ required for lower bounds, limit ÷ achieved for upper bounds). Ratios are the median of per-round ratios of figures measured side by side.",
    "",
    ...targetRows(r),
    "",
    "## Figures",
    "",
    ...figureRows(r),
    "",
    "## Log checks and errors",
    "",
    ...problemLines(r),
    ...planRows(r),
    ...diagnosticLines(r),
    "",
    "## Settings",
    "",
    ...settingsLines(r),
    "",
  ].join("\n");
}
