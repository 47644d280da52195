import { readFileSync } from "node:fs";
import { parseFlags, UsageError } from "../lib/args.js";
import type { Diag } from "../lib/diag.js";

const USAGE = `usage: npm run bench:diag -- profile-summary <file.cpuprofile>
  where a Node process spent its CPU, from a V8 .cpuprofile (node --cpu-prof; see e2e-once --help),
  grouped by package and by function (self time)`;

interface Profile {
  nodes: { id: number; callFrame: { functionName: string; url: string } }[];
  samples: number[];
  timeDeltas: number[];
}

/** The package of a script URL (pnpm store or workspace), or a node: area, or native. */
function packageOf(url: string): string {
  if (!url) return "(native: GC, syscalls, microtasks)";
  const m = /node_modules\/\.pnpm\/([^/]+)\//.exec(url) ?? /packages\/([^/]+)\//.exec(url);
  if (m) return m[1]!.replace(/@\d.*$/, "").replace(/_.*/, "");
  if (url.startsWith("node:")) return url.split("/").slice(0, 2).join("/");
  return url.split("/").slice(-2).join("/");
}

/** Where a Node process spent its CPU, from a V8 .cpuprofile: by package and by function (self time). */
export const profileSummary: Diag = {
  name: "profile-summary",
  summary: "CPU by package and function from a .cpuprofile (e.g. of e2e-once)",
  usage: USAGE,
  async run(argv) {
    const { positionals } = parseFlags(argv, {}, USAGE, true);
    const [file, ...extra] = positionals;
    if (!file || extra.length > 0) throw new UsageError(`expected one .cpuprofile file\n${USAGE}`);
    const p = JSON.parse(readFileSync(file, "utf8")) as Profile;
    const selfUs = new Map<number, number>();
    for (const [i, id] of p.samples.entries()) selfUs.set(id, (selfUs.get(id) ?? 0) + (p.timeDeltas[i] ?? 0));
    const byPackage = new Map<string, number>();
    const byFunction = new Map<string, number>();
    let total = 0;
    for (const n of p.nodes) {
      if (n.callFrame.functionName === "(idle)") continue;
      const ms = (selfUs.get(n.id) ?? 0) / 1000;
      const pkg = packageOf(n.callFrame.url);
      const fn = `${n.callFrame.functionName || "(anonymous)"}  [${pkg}]`;
      total += ms;
      byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + ms);
      byFunction.set(fn, (byFunction.get(fn) ?? 0) + ms);
    }
    const top = (m: Map<string, number>, k: number) =>
      [...m]
        .sort((a, b) => b[1] - a[1])
        .slice(0, k)
        .map(([name, ms]) => `${((100 * ms) / total).toFixed(1).padStart(5)} %  ${name}`)
        .join("\n");
    console.log(
      `busy ${Math.round(total)} ms\n\nby package:\n${top(byPackage, 15)}\n\ntop functions (self):\n${top(byFunction, 20)}`,
    );
  },
};
