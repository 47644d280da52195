import { cpuSnapshot, cpuSplit } from "../lib/cpu.js";
import { serverPids } from "../lib/db-pids.js";
import { createMinimalTables, MINIMAL_SETTINGS, runMinimalPipeline } from "../lib/minimal-pipeline.js";
import { BODY_BYTES } from "../lib/payload.js";
import { type Check, type Figure, figure, type Scenario } from "../lib/scenario.js";
import { perSecond } from "../lib/stats.js";
import { withScenario } from "../lib/with-scenario.js";
import { endToEnd } from "./end-to-end.js";

const sizes = (quick: boolean) => ({ events: quick ? 500 : 50_000 });

/** The minimal pipeline over `n` events on fresh MariaDB tables: its rate and its log check. */
async function minimal(n: number): Promise<{ figure: Figure; check: Check; info: Record<string, unknown> }> {
  return withScenario({ db: "mariadb", tag: "mp" }, async (s) => {
    const db = s.knex();
    const receiver = await s.receiver();
    const p = s.target.prefix;
    await createMinimalTables(db, p);
    const groups = { bench: [process.pid], receiver: [receiver.pid], mariadb: serverPids("mariadb") };
    const cpu0 = cpuSnapshot(groups);
    const t0 = performance.now();
    await runMinimalPipeline(db, p, receiver.url, n);
    const ms = performance.now() - t0;
    const cpu = cpuSplit(cpu0, cpuSnapshot(groups), 2);
    const [ok] = await db(`${p}mp_deliveries`).where({ status: "succeeded" }).count({ n: "*" });
    const [att] = await db(`${p}mp_attempts`).count({ n: "*" });
    const [ev] = await db(`${p}mp_events`).count({ n: "*" });
    return {
      figure: figure(
        "pipeline.minimal.rate",
        "minimal batched pipeline: deliveries/s (all logged)",
        "dlv/s",
        perSecond(n, ms),
      ),
      check: {
        name: "minimal pipeline: every event stored, every delivery succeeded with its attempt row",
        ok: Number(ok?.n) === n && Number(att?.n) === n && Number(ev?.n) === n,
        detail: `${ev?.n} events, ${ok?.n} succeeded, ${att?.n} attempts of ${n}`,
      },
      info: { "pipeline.minimal": { cpuPctOfOneCore: cpu } },
    };
  });
}

/**
 * 13. Hookline against a minimal batched pipeline doing the same job on the same machine, in the
 * same round: MariaDB log, loopback receiver, the same signed body. Hookline runs twice: with 512
 * emits outstanding, and with every emit fired at once (a burst).
 */
export const minimalPipeline: Scenario = {
  id: "13",
  title: "Hookline vs a minimal batched pipeline, bounded and burst (MariaDB)",
  settings: (quick) => ({
    ...sizes(quick),
    minimal: `${MINIMAL_SETTINGS.batch}-row multi-row INSERTs of events and deliveries in one transaction (${MINIMAL_SETTINGS.writers} at a time); ${MINIMAL_SETTINGS.inFlight} POSTs in flight on an undici Pool; results written back as ${MINIMAL_SETTINGS.batch}-row upserts of deliveries plus ${MINIMAL_SETTINGS.batch}-row inserts of attempts; deliveries with 3 secondary indexes`,
    bounded: "Hookline durable, product defaults, 512 emits outstanding",
    burst: "Hookline durable, product defaults, every emit fired at once (Promise.all)",
    bodyBytes: BODY_BYTES,
  }),
  async round(ctx) {
    const { events: n } = sizes(ctx.quick);
    const base = await minimal(n);
    const bounded = await endToEnd("mariadb", "durable", n, {
      key: "pipeline.hookline.bounded",
      label: "Hookline durable, 512 emits outstanding",
    });
    const burst = await endToEnd("mariadb", "durable", n, {
      key: "pipeline.hookline.burst",
      label: `Hookline durable, ${n} emits at once`,
      emitLanes: Number.POSITIVE_INFINITY,
    });
    return {
      figures: [base.figure, ...bounded.figures, ...burst.figures],
      checks: [base.check, bounded.check, burst.check],
      info: { ...base.info, ...bounded.info, ...burst.info },
    };
  },
};
