import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { MARIADB_URL } from "@hookline/store-knex/testing";
import { figure, type Scenario } from "../lib/scenario.js";
import { perSecond } from "../lib/stats.js";
import { withScenario } from "../lib/with-scenario.js";

const SCRIPT = fileURLToPath(new URL("../../workers/burst-emitter.mjs", import.meta.url));
const sizes = (quick: boolean) => ({ emits: quick ? 2_000 : 100_000 });

interface BurstReport {
  readonly emitMs: number;
  readonly totalMs: number;
  readonly succeeded: number;
  readonly peakRssMb: number;
}

/** Run one burst in its own process; bounded in time (it is killed after 6 minutes). */
function burst(cfg: Record<string, unknown>): Promise<BurstReport> {
  return new Promise((resolve, reject) => {
    const child = fork(SCRIPT, [`--config=${JSON.stringify(cfg)}`], {
      // The built packages, as a deployed service runs them: none of a test runner's flags.
      execArgv: [],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    let report: BurstReport | undefined;
    const killer = setTimeout(() => child.kill("SIGKILL"), 360_000);
    child.on("message", (m: { done?: BurstReport }) => {
      if (m.done) report = m.done;
    });
    child.once("exit", (code) => {
      clearTimeout(killer);
      if (report) resolve(report);
      else reject(new Error(`burst emitter exited (${code}) without a report`));
    });
  });
}

/**
 * 14. Peak RSS of the process that fires a burst of emits at once (Promise.all), against the
 * same process building the same promises and payloads without Hookline.
 */
export const burstMemory: Scenario = {
  id: "14",
  title: "Memory of an emit burst (MariaDB)",
  settings: (quick) => ({
    ...sizes(quick),
    process: "a process of its own per variant (bench/workers/burst-emitter.mjs), product defaults, durable",
    baseline:
      "the same n promises and payloads, built at once and held until all exist, with Hookline started but not called",
    rss: "VmHWM of that process from /proc/self/status",
  }),
  async round(ctx) {
    const { emits: n } = sizes(ctx.quick);
    return withScenario({ db: "mariadb", tag: "bm" }, async (s) => {
      const receiver = await s.receiver();
      await s.store({ migrate: true });
      const cfg = { databaseUrl: MARIADB_URL, prefix: s.target.prefix, url: receiver.url, n };
      const base = await burst({ ...cfg, hookline: false });
      const hooks = await burst({ ...cfg, hookline: true });
      ctx.log(
        `burst of ${n}: peak RSS ${hooks.peakRssMb.toFixed(0)} MB (baseline ${base.peakRssMb.toFixed(0)} MB)`,
      );
      return {
        figures: [
          figure("burst.rss", `peak RSS of the process emitting ${n} at once`, "MB", hooks.peakRssMb),
          figure(
            "burst.baseline-rss",
            `peak RSS of the same ${n} promises and payloads without Hookline`,
            "MB",
            base.peakRssMb,
          ),
          figure("burst.emit-rate", "emits accepted/s", "evt/s", perSecond(n, hooks.emitMs)),
          figure("burst.rate", "deliveries/s (all logged)", "dlv/s", perSecond(n, hooks.totalMs)),
        ],
        checks: [
          {
            name: `every one of the ${n} burst deliveries succeeded`,
            ok: hooks.succeeded === n,
            detail: `${hooks.succeeded}/${n} succeeded`,
          },
        ],
      };
    });
  },
};
