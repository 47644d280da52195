import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { MARIADB_URL } from "@hookline/store-knex/testing";
import { intFlag, parseFlags, UsageError } from "../lib/args.js";
import type { Diag } from "../lib/diag.js";
import { withScenario } from "../lib/with-scenario.js";

const USAGE = `usage: npm run bench:diag -- burst-floor [--sizes=0,250,500,750,1000,2000] [--hookline] [--n=N]
  --sizes     how much the synthetic burst keeps per item, one run each (default 0,250,500,750,1000,2000);
              what counts is the bytes promoted per item each run reports
  --hookline  also run scenario 14's Hookline burst (MariaDB) under the same count
  --n         items (and emits) per burst (default 100000)
Each run is a process of its own under --trace-gc-nvp; the bytes each scavenge promoted are summed.`;

const FLOOR = fileURLToPath(new URL("../../workers/burst-floor.mjs", import.meta.url));
const EMITTER = fileURLToPath(new URL("../../workers/burst-emitter.mjs", import.meta.url));

interface Run {
  readonly peakRssMb: number;
  /** Bytes scavenges promoted to old space over the run, per item. */
  readonly promotedPerItem: number;
}

/** Run `script` with V8's per-GC trace on; sum what scavenges promoted; read its peak. */
function traced(script: string, cfg: Record<string, unknown>, n: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = fork(script, [`--config=${JSON.stringify(cfg)}`], {
      execArgv: ["--trace-gc-nvp"],
      stdio: ["ignore", "pipe", "inherit", "ipc"],
    });
    let promoted = 0;
    let peak: number | undefined;
    let rest = "";
    child.stdout?.setEncoding("utf8").on("data", (text: string) => {
      const lines = (rest + text).split("\n");
      rest = lines.pop() ?? "";
      for (const line of lines) {
        // ` promoted=` with its space: not `nodes_promoted=`.
        if (line.includes(" gc=s ")) promoted += Number(/ promoted=(\d+)/.exec(line)?.[1] ?? 0);
        else if (line.startsWith("{")) peak = (JSON.parse(line) as { peakRssMb: number }).peakRssMb;
      }
    });
    child.on("message", (m: { done?: { peakRssMb: number } }) => {
      if (m.done) peak = m.done.peakRssMb;
    });
    const killer = setTimeout(() => child.kill("SIGKILL"), 360_000);
    child.once("exit", (code) => {
      clearTimeout(killer);
      if (peak === undefined) reject(new Error(`${script} exited (${code}) without a peak`));
      else resolve({ peakRssMb: peak, promotedPerItem: promoted / n });
    });
  });
}

/**
 * Where V8 puts the peak RSS of a burst for a given amount promoted per item: the caller's own
 * payloads and promises, plus a synthetic load that keeps `size` bytes per item long enough to
 * be promoted; optionally scenario 14's Hookline burst beside it, counted the same way.
 */
export const burstFloor: Diag = {
  name: "burst-floor",
  summary: "peak RSS of a 100,000 burst against the bytes promoted per item (synthetic, and Hookline's)",
  usage: USAGE,
  async run(argv) {
    const { values } = parseFlags(
      argv,
      { sizes: { type: "string" }, hookline: { type: "boolean" }, n: { type: "string" } },
      USAGE,
    );
    const n = intFlag(values.n, "n", 100_000, { min: 1_000, max: 1_000_000, usage: USAGE });
    const sizes = (values.sizes ?? "0,250,500,750,1000,2000").split(",").map((s) => Number(s));
    if (sizes.some((s) => !Number.isInteger(s) || s < 0 || s > 100_000))
      throw new UsageError(
        `--sizes: expected integers 0–100000, got ${JSON.stringify(values.sizes)}\n${USAGE}`,
      );
    console.log("| Burst | Promoted per item | Peak RSS |\n| --- | --- | --- |");
    for (const bytes of sizes) {
      const r = await traced(FLOOR, { n, bytes }, n);
      console.log(
        `| synthetic, --sizes ${bytes} | ${r.promotedPerItem.toFixed(0)} B | ${r.peakRssMb.toFixed(0)} MB |`,
      );
    }
    if (!values.hookline) return;
    await withScenario({ db: "mariadb", tag: "bf" }, async (s) => {
      const receiver = await s.receiver();
      await s.store({ migrate: true });
      const cfg = { databaseUrl: MARIADB_URL, prefix: s.target.prefix, url: receiver.url, n, hookline: true };
      const r = await traced(EMITTER, cfg, n);
      console.log(
        `| Hookline (scenario 14) | ${r.promotedPerItem.toFixed(0)} B | ${r.peakRssMb.toFixed(0)} MB |`,
      );
    });
  },
};
