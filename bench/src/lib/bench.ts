import { loadavg } from "node:os";
import { probeDatabase } from "@hookline/store-knex/testing";
import type { BenchArgs } from "./args.js";
import { serverConfig, sweepStale } from "./db.js";
import { machineInfo } from "./machine.js";
import { BODY_BYTES } from "./payload.js";
import { buildReport, type Report } from "./report.js";
import { runScenarios } from "./runner.js";
import type { Scenario } from "./scenario.js";

/** Run the selected scenarios and build the report (run.ts writes it; the smoke test reads it). */
export async function runBench(
  scenarios: readonly Scenario[],
  args: BenchArgs,
  opts: { command: string; log: (m: string) => void },
): Promise<Report> {
  const startedAt = new Date().toISOString();
  const machine = await machineInfo();
  // Tables a killed run left behind (older than an hour, so a concurrent run is never touched).
  for (const db of ["mariadb", "postgres"] as const) {
    if ((await probeDatabase(db)) === undefined) {
      const dropped = await sweepStale(serverConfig(db, 1));
      if (dropped.length > 0) opts.log(`dropped ${dropped.length} stale bench tables on ${db}`);
    }
  }
  const selected = args.only ? scenarios.filter((s) => args.only!.includes(s.id)) : scenarios;
  const results = await runScenarios(selected, {
    quick: args.quick,
    rounds: args.rounds,
    reseed: args.reseed,
    log: opts.log,
  });
  return buildReport({
    startedAt,
    finishedAt: new Date().toISOString(),
    command: opts.command,
    options: { quick: args.quick, rounds: args.rounds, only: args.only },
    machine,
    bodyBytes: BODY_BYTES,
    scenarios: results,
    loadAverageAfter: loadavg().map((x) => Math.round(x * 100) / 100),
  });
}
