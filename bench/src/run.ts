import { fileURLToPath } from "node:url";
import { parseBenchArgs, usageOrExit } from "./lib/args.js";
import { runBench } from "./lib/bench.js";
import { writeReport } from "./lib/report.js";
import { SCENARIOS } from "./scenarios/index.js";

// `npm run bench [-- flags]`: every scenario side by side, results to bench/results/.
const RESULTS = fileURLToPath(new URL("../results/", import.meta.url));
const argv = process.argv.slice(2);
const args = await usageOrExit(() =>
  parseBenchArgs(
    argv,
    SCENARIOS.map((s) => s.id),
  ),
);
const log = (m: string) => console.error(`${new Date().toISOString().slice(11, 19)} ${m}`);
const report = await runBench(SCENARIOS, args, {
  command: ["npm run bench --", ...argv].join(" ").replace(/ --$/, ""),
  log,
});
const files = writeReport(report, args.out ?? RESULTS);
console.log(files.text);
console.error(`wrote ${files.json} and ${files.markdown}`);
// Unmet targets are results, not failures; a failed log check or a crashed scenario is.
const broken = report.scenarios.some((s) => s.error || s.checks.some((c) => !c.ok));
process.exit(broken ? 1 : 0);
