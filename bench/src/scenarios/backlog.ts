import { insertDue } from "../lib/backlog.js";
import { cpuSnapshot, cpuSplit } from "../lib/cpu.js";
import { serverPids } from "../lib/db-pids.js";
import { checkLog, openCount, rollupDetail } from "../lib/log-check.js";
import { endpointFor } from "../lib/payload.js";
import { figure, type Scenario } from "../lib/scenario.js";
import { perSecond } from "../lib/stats.js";
import { summarizeProfile } from "../lib/store-profile.js";
import { sleep, until } from "../lib/wait.js";
import { withScenario } from "../lib/with-scenario.js";

const sizes = (quick: boolean) => ({ deliveries: quick ? 2_000 : 100_000, outageMs: quick ? 500 : 2_000 });

/**
 * 6. A backlog built up while the receiver was down: the worker runs through a short outage
 * (its failed attempts go back to the database as scheduled retries), then the receiver comes
 * back. Peak RSS shows whether the backlog stays in the database rather than in memory.
 */
export const backlog: Scenario = {
  id: "6",
  title: "Backlog drain after an outage (MariaDB)",
  settings: (quick) => ({
    ...sizes(quick),
    worker: "one worker process, product defaults (maxInFlight 256, maxQueued 8192, batchSize 100)",
    insert: "store.insertEvents, batches of 1000, two at a time",
    rss: "VmHWM of the worker process from /proc/<pid>/status",
  }),
  async round(ctx) {
    const { deliveries: n, outageMs } = sizes(ctx.quick);
    return withScenario({ db: "mariadb", tag: "bl" }, async (s) => {
      const prefix = s.target.prefix;
      const receiver = await s.receiver();
      const store = await s.store({ migrate: true });
      const db = s.knex();
      await receiver.setDown(true);
      const tInsert = performance.now();
      await insertDue(store, n, { endpointId: "bench" });
      const insertMs = performance.now() - tInsert;
      ctx.log(`${n} due deliveries inserted in ${Math.round(insertMs)} ms`);
      const worker = await s.worker({ endpoints: endpointFor(receiver.url) });
      const idleRss = worker.peakRssMb();
      await worker.start();
      await sleep(outageMs);
      const [failed] = await db(`${prefix}attempts`).count({ n: "*" });
      await receiver.setDown(false);
      const groups = { worker: [worker.pid], receiver: [receiver.pid], mariadb: serverPids("mariadb") };
      const cpu0 = cpuSnapshot(groups);
      const t0 = performance.now();
      // The JS heap is sampled alongside: it tells a growing heap (a leak) from allocator slack.
      let heapMb = 0;
      await until(
        async () => {
          heapMb = Math.max(heapMb, (await worker.mem()).heapUsed / 2 ** 20);
          return (await openCount(db, prefix)) === 0;
        },
        { timeoutMs: Math.max(120_000, n * 5), everyMs: 250, what: `the backlog of ${n} to drain` },
      );
      const drainMs = performance.now() - t0;
      const cpu = cpuSplit(cpu0, cpuSnapshot(groups), 2);
      const peak = worker.peakRssMb();
      const profile = await worker.stop();
      const log = await checkLog(db, prefix, n);
      ctx.log(`drained in ${Math.round(drainMs)} ms, peak RSS ${peak.toFixed(0)} MB`);
      return {
        figures: [
          figure("backlog.rss", "worker peak RSS (VmHWM)", "MB", peak),
          figure("backlog.idle-rss", "worker RSS before start", "MB", idleRss),
          figure("backlog.heap", "worker peak JS heap used (sampled every 250 ms)", "MB", heapMb),
          figure("backlog.drain", `drain time of ${n} after the receiver is up`, "s", drainMs / 1000),
          figure("backlog.rate", "drain rate", "dlv/s", perSecond(n, drainMs)),
          figure(
            "backlog.outage-attempts",
            `failed attempts logged during the ${outageMs} ms outage`,
            "attempts",
            Number(failed?.n ?? 0),
          ),
          figure(
            "backlog.insert-rate",
            "backlog insert rate (store.insertEvents)",
            "dlv/s",
            perSecond(n, insertMs),
          ),
        ],
        checks: [
          {
            name: "every backlog delivery succeeded with its attempt; outage attempts logged",
            ok: log.ok && log.attempts >= n && worker.errors.length === 0,
            detail: `${log.succeededWithAttempt}/${n} succeeded with attempt, ${log.attempts} attempt rows${worker.errors.length ? `, errors: ${worker.errors.join("; ")}` : ""}; ${rollupDetail(log)}`,
          },
        ],
        info: { backlog: { cpuPctOfOneCore: cpu, storeCalls: summarizeProfile(profile ?? {}) } },
      };
    });
  },
};
