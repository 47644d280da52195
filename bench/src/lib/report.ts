import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { MachineInfo } from "./machine.js";
import { renderMarkdown } from "./markdown.js";
import type { ScenarioResult } from "./results.js";
import { evaluate, type TargetResult } from "./targets.js";

/** Everything one invocation measured: written as JSON and rendered as markdown. */
export interface Report {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly command: string;
  readonly options: {
    readonly quick: boolean;
    readonly rounds: number;
    readonly only: readonly string[] | null;
  };
  readonly machine: MachineInfo;
  readonly bodyBytes: number;
  readonly scenarios: readonly ScenarioResult[];
  readonly targets: readonly TargetResult[];
  /** Load averages at the end, next to machine.loadAverage at the start. */
  readonly loadAverageAfter: readonly number[];
}

export function buildReport(parts: Omit<Report, "targets">): Report {
  return { ...parts, targets: evaluate(parts.scenarios) };
}

/** Write `<dir>/<timestamp>.json` and `.md` (the timestamp is the start, `:` made file-safe). */
export function writeReport(report: Report, dir: string): { json: string; markdown: string; text: string } {
  mkdirSync(dir, { recursive: true });
  const stamp = report.startedAt.replaceAll(":", "-");
  const json = join(dir, `${stamp}.json`);
  const markdown = join(dir, `${stamp}.md`);
  const text = renderMarkdown(report);
  writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(markdown, text);
  return { json, markdown, text };
}
