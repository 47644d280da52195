import { intFlag, parseFlags, UsageError } from "../lib/args.js";
import type { Diag } from "../lib/diag.js";
import { type Ordering, orderedEndToEnd, orderingSizes } from "../scenarios/ordering.js";

const USAGE = `usage: npm run bench:diag -- ordering-once [--ordering=subject|none] [--events=N] [--runs=N]
  --ordering  the endpoint's ordering (default: both, alternating)
  --events    timed events per run (default 10000, after scenario 11's warm-up of 2000)
  --runs      runs of each ordering (default 1)
One run of scenario 11 per ordering and run, each printed as one line: deliveries/s, emits
accepted/s, CPU of the bench process, the receiver and MariaDB per delivery, and the mean time of
the store's insertEvents and complete calls. Single runs move by 10 % and more: compare
alternating runs, several of each.`;

const ORDERINGS: readonly Ordering[] = ["subject", "none"];

interface OrderingInfo {
  readonly cpuPctOfOneCore: Record<string, number>;
  readonly storeCalls: Record<string, { calls: number; msPerCall: number }>;
}

/** Scenario 11's end-to-end run outside the harness, for A/B runs of the ordered path. */
export const orderingOnce: Diag = {
  name: "ordering-once",
  summary: "scenario 11's run with and without ordering by subject, with CPU per delivery by process",
  usage: USAGE,
  async run(argv) {
    const { values } = parseFlags(
      argv,
      { ordering: { type: "string" }, events: { type: "string" }, runs: { type: "string" } },
      USAGE,
    );
    const only = values.ordering as Ordering | undefined;
    if (only !== undefined && !ORDERINGS.includes(only))
      throw new UsageError(`--ordering: expected subject or none, got ${JSON.stringify(only)}\n${USAGE}`);
    const events = intFlag(values.events, "events", 10_000, { min: 1, max: 1_000_000, usage: USAGE });
    const runs = intFlag(values.runs, "runs", 1, { min: 1, max: 50, usage: USAGE });
    const sizes = { ...orderingSizes(false), events };
    for (let i = 0; i < runs; i++) {
      const order = only ? [only] : i % 2 === 0 ? ORDERINGS : [...ORDERINGS].reverse();
      for (const ordering of order) {
        const r = await orderedEndToEnd(ordering, sizes);
        const rate = r.figures[0]!.value;
        const info = r.info[`order.mariadb.${ordering}`] as OrderingInfo;
        const us = (pct: number | undefined) => `${Math.round(((pct ?? 0) * 10_000) / rate)} µs`;
        const cpu = info.cpuPctOfOneCore;
        const mean = (op: string) => info.storeCalls[op]?.msPerCall.toFixed(1) ?? "–";
        console.log(
          `${ordering.padEnd(7)} ${Math.round(rate)} dlv/s, ${Math.round(r.figures[1]!.value)} emits/s; per delivery bench ${us(cpu.bench)}, receiver ${us(cpu.receiver)}, mariadb ${us(cpu.mariadb)}; insertEvents ${mean("insertEvents")} ms, complete ${mean("complete")} ms${r.check.ok ? "" : `; LOG CHECK FAILED: ${r.check.detail}`}`,
        );
      }
    }
  },
};
