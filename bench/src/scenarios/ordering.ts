import { createHookline, type EndpointConfig } from "@hookline/core";
import { buyerEvents } from "@hookline/events-buyer";
import { httpTransport } from "@hookline/transport-http";
import type { Knex } from "knex";
import { cpuSnapshot, cpuSplit } from "../lib/cpu.js";
import { serverPids } from "../lib/db-pids.js";
import { checkLog, rollupDetail } from "../lib/log-check.js";
import { BODY_BYTES, buyerPayload, EVENT_CODE, endpointFor } from "../lib/payload.js";
import { type Check, type Figure, figure, type RoundResult, type Scenario } from "../lib/scenario.js";
import { perSecond } from "../lib/stats.js";
import { profiledStore, summarizeProfile } from "../lib/store-profile.js";
import { inLanes, until } from "../lib/wait.js";
import { storeOn, withScenario } from "../lib/with-scenario.js";

const LANES = 512;
export const orderingSizes = (quick: boolean) => ({
  events: quick ? 300 : 10_000,
  subjects: quick ? 100 : 1_000,
  warmUp: quick ? 100 : 2_000,
  emitLanes: LANES,
});
export type Ordering = "subject" | "none";

/**
 * Subjects whose deliveries did not succeed in the order the store orders them by (created
 * time, then id). Emits of one subject that ran at the same time have no order between them (the
 * later one may be stored claimed before the earlier one commits), so this is reported, not
 * judged.
 */
async function outOfOrderSubjects(db: Knex, prefix: string): Promise<number> {
  const rows = (await db({ d: `${prefix}deliveries` })
    .join({ a: `${prefix}attempts` }, "a.delivery_id", "d.id")
    .where("a.outcome", "success")
    .select("d.subject", "d.created_at", "d.id", { started: "a.started_at" })
    .orderBy([{ column: "d.created_at" }, { column: "d.id" }])) as Record<string, unknown>[];
  const last = new Map<string, number>();
  const bad = new Set<string>();
  for (const r of rows) {
    const subject = String(r.subject);
    const started = Number(r.started);
    if (started < (last.get(subject) ?? 0)) bad.add(subject);
    last.set(subject, Math.max(started, last.get(subject) ?? 0));
  }
  return bad.size;
}

/**
 * Emit `n` events over `subjects` buyers as fast as they are accepted; time until all are logged
 * succeeded. `info` has the store calls and the CPU of the timed part, split by process.
 */
export async function orderedEndToEnd(
  ordering: Ordering,
  { events: n, subjects, warmUp }: ReturnType<typeof orderingSizes>,
): Promise<{ figures: Figure[]; check: Check; info: Record<string, unknown> }> {
  return withScenario({ db: "mariadb", tag: ordering === "subject" ? "os" : "on" }, async (s) => {
    const receiver = await s.receiver();
    const endpoints: EndpointConfig[] = endpointFor(receiver.url).map((e) => ({ ...e, ordering }));
    // As benchHookline composes it (product defaults), with the endpoint's ordering set.
    const { store, profile } = profiledStore(storeOn(s.target));
    const hooks = createHookline({
      plugins: [buyerEvents()],
      endpoints,
      store,
      transport: httpTransport({ ssrf: { allow: ["127.0.0.1/32"] } }),
      mode: "durable",
    });
    s.defer(() => hooks.stop().catch(() => {}));
    await hooks.start();
    let succeeded = 0;
    let retries = 0;
    hooks.on("delivery.succeeded", () => void succeeded++);
    hooks.on("delivery.retry_scheduled", () => void retries++);
    const burst = async (from: number, count: number) => {
      await inLanes(count, LANES, async (i) => {
        await hooks.emit(EVENT_CODE, buyerPayload((from + i) % subjects));
      });
    };
    const db = s.knex();
    // A log in service has index statistics that describe it; a table created a moment ago has
    // the empty table's, and MariaDB plans the ordering probes badly until its own recount. So
    // the clock starts after a warm-up burst and ANALYZE, for both variants alike.
    await burst(0, warmUp);
    await until(() => succeeded >= warmUp, { timeoutMs: 120_000, everyMs: 5, what: "the warm-up" });
    for (const t of ["deliveries", "events"]) await db.raw(`ANALYZE TABLE ${s.target.prefix}${t}`);
    for (const key of Object.keys(profile)) delete profile[key];
    succeeded = 0;
    retries = 0;
    const groups = { bench: [process.pid], receiver: [receiver.pid], mariadb: serverPids("mariadb") };
    const cpu0 = cpuSnapshot(groups);
    const t0 = performance.now();
    await burst(warmUp, n);
    const emitMs = performance.now() - t0;
    await until(() => succeeded >= n, {
      timeoutMs: Math.max(60_000, n * 20),
      everyMs: 5,
      what: `${n} deliveries to succeed`,
    });
    const ms = performance.now() - t0;
    const cpu = cpuSplit(cpu0, cpuSnapshot(groups), 2);
    await hooks.stop();
    const log = await checkLog(db, s.target.prefix, warmUp + n);
    const outOfOrder = await outOfOrderSubjects(db, s.target.prefix);
    const k = `order.mariadb.${ordering}`;
    return {
      figures: [
        figure(`${k}.rate`, `ordering ${ordering}: deliveries/s (all logged)`, "dlv/s", perSecond(n, ms)),
        figure(`${k}.emit-rate`, `ordering ${ordering}: emits accepted/s`, "evt/s", perSecond(n, emitMs)),
      ],
      check: {
        name: `ordering ${ordering}: every delivery succeeded with its attempt row`,
        ok: log.ok,
        detail: `${log.succeededWithAttempt}/${warmUp + n} succeeded with attempt (${warmUp} of them the warm-up); ${log.deliveries} deliveries, ${log.attempts} attempts; ${rollupDetail(log)}`,
      },
      info: {
        [k]: {
          subjectsSucceededOutOfStoreOrder: outOfOrder,
          retries,
          cpuPctOfOneCore: cpu,
          storeCalls: summarizeProfile(profile),
        },
      },
    };
  });
}

/**
 * 11. Ordering by subject: scenario 3's durable run on MariaDB over 1,000 subjects, with
 * `ordering: "subject"` and without, side by side in each round (which goes first alternates),
 * each after an untimed warm-up burst and ANALYZE.
 */
export const ordering: Scenario = {
  id: "11",
  title: "Ordering by subject vs unordered, end to end (MariaDB)",
  settings: (quick) => ({
    ...orderingSizes(quick),
    hookline: "product defaults (maxInFlight 256, maxQueued 8192, insertBatchSize 500, insertConcurrency 2)",
    payload: "buyerPayload(i % subjects): each subject gets events/subjects events, emitted concurrently",
    warmUpRun:
      "warmUp events first (not timed), then ANALYZE TABLE deliveries and events, then the timed burst",
    bodyBytes: BODY_BYTES,
  }),
  async round(ctx): Promise<RoundResult> {
    const order: Ordering[] = ctx.round % 2 === 1 ? ["subject", "none"] : ["none", "subject"];
    const figures: Figure[] = [];
    const checks: Check[] = [];
    let info: Record<string, unknown> = {};
    for (const o of order) {
      const r = await orderedEndToEnd(o, orderingSizes(ctx.quick));
      ctx.log(`ordering ${o}: ${Math.round(r.figures[0]!.value)} dlv/s`);
      figures.push(...r.figures);
      checks.push(r.check);
      info = { ...info, ...r.info };
    }
    return { figures, checks, info };
  },
};
