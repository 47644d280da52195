import type { DispatchMode } from "@hookline/core";
import { intFlag, parseFlags, UsageError } from "../lib/args.js";
import type { Diag } from "../lib/diag.js";
import { endToEnd } from "../scenarios/end-to-end.js";

const USAGE = `usage: npm run bench:diag -- e2e-once [--events=N] [--mode=durable|parallel]
  --events    events emitted (default 20000)
  --mode      dispatch mode (default durable)
Under a CPU profiler (then read the profile with profile-summary):
  npx tsc -b && node --cpu-prof --cpu-prof-dir=/tmp/prof bench/dist/run-diag.js e2e-once
  (one .cpuprofile per process: the receiver child writes one too; the bench's is the largest)`;

const MODES: readonly DispatchMode[] = ["durable", "parallel"];

/** One run of scenario 3 on MariaDB outside the harness, e.g. under `node --cpu-prof`. */
export const e2eOnce: Diag = {
  name: "e2e-once",
  summary: "one end-to-end run on MariaDB (scenario 3), for a CPU profile",
  usage: USAGE,
  async run(argv) {
    const { values } = parseFlags(argv, { events: { type: "string" }, mode: { type: "string" } }, USAGE);
    const n = intFlag(values.events, "events", 20_000, { min: 1, max: 10_000_000, usage: USAGE });
    const mode = (values.mode ?? "durable") as DispatchMode;
    if (!MODES.includes(mode))
      throw new UsageError(
        `--mode: expected durable or parallel, got ${JSON.stringify(values.mode)}\n${USAGE}`,
      );
    const r = await endToEnd("mariadb", mode, n);
    console.log(JSON.stringify({ figures: r.figures, check: r.check, info: r.info }, null, 2));
  },
};
