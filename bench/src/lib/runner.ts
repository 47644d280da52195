import { ScenarioAccumulator, type ScenarioResult } from "./results.js";
import type { RunContext, Scenario } from "./scenario.js";
import { sleep } from "./wait.js";

/**
 * Pause between scenarios at full size: MariaDB purges and flushes in the background for a few
 * seconds after a large run (the 100k backlog, the seed), work that would otherwise be billed to
 * whichever scenario comes next.
 */
const SETTLE_MS = 3000;

export interface RunOptions {
  readonly quick: boolean;
  readonly rounds: number;
  readonly reseed: boolean;
  readonly log: (message: string) => void;
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * Runs every scenario for `rounds` rounds, rounds outermost: round 1 of each scenario, then
 * round 2 of each, … so the figures a target compares are measured close together in time on
 * this shared, noisy machine. A failing scenario is recorded and skipped; the others go on.
 */
export async function runScenarios(
  scenarios: readonly Scenario[],
  opts: RunOptions,
): Promise<ScenarioResult[]> {
  const acc = new Map(scenarios.map((s) => [s.id, new ScenarioAccumulator()]));
  const ready = new Set<string>();
  const ctx = (round: number, s: Scenario): RunContext => ({
    quick: opts.quick,
    round,
    rounds: opts.rounds,
    reseed: opts.reseed,
    log: (m) => opts.log(`[${s.id} r${round}] ${m}`),
  });
  for (let round = 1; round <= opts.rounds; round++) {
    for (const s of scenarios) {
      const a = acc.get(s.id)!;
      if (a.error) continue;
      if (!opts.quick) await sleep(SETTLE_MS);
      const started = performance.now();
      try {
        if (!ready.has(s.id)) {
          await s.setup?.(ctx(round, s));
          ready.add(s.id);
        }
        opts.log(`[${s.id} r${round}] ${s.title}`);
        const r = await s.round(ctx(round, s));
        a.add(round, r.figures, r.checks);
        if (r.info) a.info = r.info;
      } catch (err) {
        a.error = message(err);
        opts.log(`[${s.id} r${round}] FAILED: ${a.error}`);
      } finally {
        a.seconds += (performance.now() - started) / 1000;
      }
    }
  }
  for (const s of scenarios) {
    if (!ready.has(s.id)) continue;
    try {
      await s.teardown?.();
    } catch (err) {
      const a = acc.get(s.id)!;
      a.error ??= `teardown: ${message(err)}`;
    }
  }
  return scenarios.map((s) => acc.get(s.id)!.summary(s.id, s.title, s.settings(opts.quick)));
}
