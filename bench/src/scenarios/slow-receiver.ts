import { insertDue } from "../lib/backlog.js";
import { cpuSnapshot, cpuSplit } from "../lib/cpu.js";
import { serverPids } from "../lib/db-pids.js";
import { checkLog, openCount, rollupDetail, succeededCount } from "../lib/log-check.js";
import { endpointFor } from "../lib/payload.js";
import { type Check, type Figure, figure, type Scenario } from "../lib/scenario.js";
import { perSecond } from "../lib/stats.js";
import { type StoreProfile, summarizeProfile } from "../lib/store-profile.js";
import { until } from "../lib/wait.js";
import { withScenario } from "../lib/with-scenario.js";
import type { WorkerProc } from "../lib/worker-proc.js";

const DELAY_MS = 50;
/**
 * Each worker may run 16 attempts at once, so one worker tops out near 16 / 50 ms = 320/s: the
 * receiver's latency, not the two CPU cores, is the limit that more workers overcome.
 */
const WORKER = { maxInFlight: 16, batchSize: 16, pollIntervalMs: 50 };
const sizes = (quick: boolean) => ({ deliveries: quick ? 400 : 3_000, warmUpPerWorker: quick ? 20 : 300 });
/** A due time no claim reaches: the measured backlog waits behind it during the warm-up. */
const PARKED = 2 ** 52;

/** Sum the store timings of several workers. */
function merge(profiles: readonly (StoreProfile | undefined)[]): StoreProfile {
  const out: StoreProfile = {};
  for (const p of profiles)
    for (const [k, v] of Object.entries(p ?? {})) {
      const o = out[k] ?? { calls: 0, ms: 0, items: 0 };
      out[k] = o;
      o.calls += v.calls;
      o.ms += v.ms;
      o.items += v.items;
    }
  return out;
}

/**
 * Time `workers` warm worker processes draining `n` due deliveries. A worker service runs for
 * hours, so the processes first drain `warmUp` deliveries each (their JIT compiles the
 * delivery path) while the measured backlog waits in the table behind a far due time; the clock
 * starts when one UPDATE makes all of it due at once.
 */
async function drainWith(
  workers: number,
  n: number,
  warmUp: number,
): Promise<{ figures: Figure[]; check: Check; info: Record<string, unknown> }> {
  return withScenario({ db: "mariadb", tag: `sw${workers}` }, async (s) => {
    const prefix = s.target.prefix;
    const receiver = await s.receiver(DELAY_MS);
    const store = await s.store({ migrate: true });
    const db = s.knex();
    const deliveries = db(`${prefix}deliveries`);
    await insertDue(store, n, { endpointId: "bench" });
    await deliveries.clone().update({ next_attempt_at: PARKED });
    const warm = warmUp * workers;
    await insertDue(store, warm, { endpointId: "bench" });
    const endpoints = endpointFor(receiver.url);
    const procs: WorkerProc[] = [];
    for (let w = 0; w < workers; w++) procs.push(await s.worker({ endpoints, worker: WORKER }));
    await Promise.all(procs.map((p) => p.start()));
    await until(async () => (await succeededCount(db, prefix)) === warm, {
      timeoutMs: Math.max(60_000, warm * 20),
      everyMs: 50,
      what: `${workers} worker(s) to drain ${warm} warm-up deliveries`,
    });
    const groups = {
      workers: procs.map((p) => p.pid),
      receiver: [receiver.pid],
      mariadb: serverPids("mariadb"),
    };
    const cpu0 = cpuSnapshot(groups);
    const t0 = performance.now();
    // Due at once; the workers find it on their next poll (every 50 ms).
    await deliveries.clone().where("next_attempt_at", PARKED).update({ next_attempt_at: 0 });
    await until(async () => (await openCount(db, prefix)) === 0, {
      timeoutMs: Math.max(60_000, n * 20),
      everyMs: 50,
      what: `${workers} worker(s) to drain ${n} deliveries`,
    });
    const ms = performance.now() - t0;
    const cpu = cpuSplit(cpu0, cpuSnapshot(groups), 2);
    const log = await checkLog(db, prefix, n + warm);
    const profile = merge(await Promise.all(procs.map((p) => p.stop())));
    // After stop(): a worker reports its errors until it exits.
    const errors = procs.flatMap((p) => p.errors);
    return {
      figures: [
        figure(
          `slow.${workers}w.rate`,
          `${workers} worker process(es): deliveries/s`,
          "dlv/s",
          perSecond(n, ms),
        ),
      ],
      check: {
        name: `${workers} worker(s): every delivery succeeded exactly once with its attempt`,
        ok: log.ok && log.attempts === n + warm && errors.length === 0,
        detail: `${log.succeededWithAttempt}/${n + warm} succeeded (${warm} of them warm-up), ${log.attempts} attempts${errors.length ? `, errors: ${errors.join("; ")}` : ""}; ${rollupDetail(log)}`,
      },
      info: { [`${workers} worker(s)`]: { cpuPctOfOneCore: cpu, storeCalls: summarizeProfile(profile) } },
    };
  });
}

/** 5. A receiver answering after 50 ms: one worker process against three on the same MariaDB. */
export const slowReceiver: Scenario = {
  id: "5",
  title: "Slow receiver: 1 vs 3 worker processes (MariaDB)",
  settings: (quick) => ({
    ...sizes(quick),
    receiverDelayMs: DELAY_MS,
    worker: WORKER,
    insert: "store.insertEvents, batches of 1000, due now",
    timing:
      "each worker process first drains warmUpPerWorker deliveries (JIT-warm, as a long-running worker); the clock runs from one UPDATE making the parked backlog due until no delivery is pending or sending",
  }),
  async round(ctx) {
    const { deliveries: n, warmUpPerWorker } = sizes(ctx.quick);
    const one = await drainWith(1, n, warmUpPerWorker);
    const three = await drainWith(3, n, warmUpPerWorker);
    return {
      figures: [...one.figures, ...three.figures],
      checks: [one.check, three.check],
      info: { ...one.info, ...three.info },
    };
  },
};
