import type { DispatchMode } from "@hookline/core";
import { type Context, context } from "@opentelemetry/api";
import { cpuSnapshot, cpuSplit } from "../lib/cpu.js";
import type { DbName } from "../lib/db.js";
import { serverPids } from "../lib/db-pids.js";
import type { BenchTelemetry } from "../lib/hookline.js";
import { checkLogWith, rollupDetail } from "../lib/log-check.js";
import { BODY_BYTES, buyerPayload, EVENT_CODE } from "../lib/payload.js";
import { type Check, type Figure, figure, type RoundResult, type Scenario } from "../lib/scenario.js";
import { httpSink, type Sink } from "../lib/sinks.js";
import { perSecond } from "../lib/stats.js";
import { profiledStore, summarizeProfile } from "../lib/store-profile.js";
import { inLanes, until } from "../lib/wait.js";
import { storeOn, withScenario } from "../lib/with-scenario.js";

const MODES: readonly DispatchMode[] = ["durable", "parallel"];
const LANES = 512;
const sizes = (quick: boolean) => ({ events: quick ? 300 : 10_000, emitLanes: LANES });

interface E2eResult {
  figures: Figure[];
  check: Check;
  info: Record<string, unknown>;
  /**
   * CPU time of this process (every thread) per delivery from the first emit until the last
   * success, in µs: less sensitive than throughput to other processes competing for the cores.
   */
  cpuUsPerDelivery: number;
}

/** Where an end-to-end run sends, and the key and label of its figures. */
export interface E2eSink {
  /** @default httpSink (the loopback receiver) */
  readonly sink?: Sink;
  /** Figure key prefix. @default `e2e.<db>.<mode>` */
  readonly key?: string;
  /** Figure and check label prefix. @default `<db> <mode>` */
  readonly label?: string;
  /** Hookline's `telemetry` option. @default the product default (the global providers) */
  readonly telemetry?: BenchTelemetry;
  /**
   * The OpenTelemetry context each emit runs in, as a traced service's request handler emits
   * inside its request's context. @default none (the emits run in the active context)
   */
  readonly callerContext?: Context;
  /** Emits outstanding at once; `Infinity` fires every emit at once (a burst). @default 512 */
  readonly emitLanes?: number;
}

/** Emit `n` events as fast as they are accepted; time until each delivery is logged as succeeded. */
export async function endToEnd(
  db: DbName,
  mode: DispatchMode,
  n: number,
  to: E2eSink = {},
): Promise<E2eResult> {
  const sink = to.sink ?? httpSink;
  const tag = db.slice(0, 2) + mode[0] + (sink === httpSink ? "" : sink.name[0]);
  return withScenario({ db, tag }, async (s) => {
    const dest = await sink.open(s, tag);
    const { store, profile } = profiledStore(storeOn(s.target));
    const hooks = s.hookline({
      url: dest.url,
      mode,
      store,
      ...(dest.transport ? { transport: dest.transport } : {}),
      ...(to.telemetry !== undefined ? { telemetry: to.telemetry } : {}),
    });
    await hooks.start();
    let succeeded = 0;
    // Fired after the completion write commits, so the count is of logged deliveries.
    hooks.on("delivery.succeeded", () => void succeeded++);
    const groups = { bench: [process.pid], ...dest.cpu, [db]: serverPids(db) };
    const cpu0 = cpuSnapshot(groups);
    const ownCpu0 = process.cpuUsage();
    const t0 = performance.now();
    const caller = to.callerContext;
    const emitOne =
      caller === undefined
        ? (i: number) => hooks.emit(EVENT_CODE, buyerPayload(i))
        : (i: number) => context.with(caller, () => hooks.emit(EVENT_CODE, buyerPayload(i)));
    await inLanes(n, to.emitLanes ?? LANES, async (i) => void (await emitOne(i)));
    const emitMs = performance.now() - t0;
    await until(() => succeeded >= n, {
      timeoutMs: Math.max(60_000, n * 10),
      everyMs: 5,
      what: `${n} deliveries to succeed`,
    });
    const ms = performance.now() - t0;
    const ownCpu = process.cpuUsage(ownCpu0);
    const cpu = cpuSplit(cpu0, cpuSnapshot(groups), 2);
    await hooks.stop();
    const log = await checkLogWith(s.target.config, s.target.prefix, n);
    const seen = await dest.delivered?.(n);
    const k = to.key ?? `e2e.${db}.${mode}`;
    const l = to.label ?? `${db} ${mode}`;
    return {
      figures: [
        figure(`${k}.rate`, `${l}: deliveries/s (all logged)`, "dlv/s", perSecond(n, ms)),
        figure(`${k}.emit-rate`, `${l}: emits accepted/s`, "evt/s", perSecond(n, emitMs)),
      ],
      check: {
        name: `${l}: every delivery succeeded with its attempt row`,
        ok: log.ok && (seen?.ok ?? true),
        detail: `${log.succeededWithAttempt}/${n} succeeded with attempt; ${log.deliveries} deliveries, ${log.attempts} attempts; ${rollupDetail(log)}${seen ? `; ${seen.detail}` : ""}`,
      },
      info: { [k]: { cpuPctOfOneCore: cpu, storeCalls: summarizeProfile(profile) } },
      cpuUsPerDelivery: (ownCpu.user + ownCpu.system) / n,
    };
  });
}

async function roundOn(dbs: readonly DbName[], quick: boolean): Promise<RoundResult> {
  const figures: Figure[] = [];
  const checks: Check[] = [];
  let info: Record<string, unknown> = {};
  for (const db of dbs) {
    for (const mode of MODES) {
      const r = await endToEnd(db, mode, sizes(quick).events);
      figures.push(...r.figures);
      checks.push(r.check);
      info = { ...info, ...r.info };
    }
  }
  return { figures, checks, info };
}

const settings = (quick: boolean) => ({
  ...sizes(quick),
  modes: MODES,
  hookline: "product defaults (maxInFlight 256, maxQueued 8192, insertBatchSize 500, insertConcurrency 2)",
  bodyBytes: BODY_BYTES,
});

/** 3. Hookline end to end on MariaDB, durable and parallel. */
export const endToEndMariadb: Scenario = {
  id: "3",
  title: "Hookline end to end (MariaDB)",
  settings,
  round: (ctx) => roundOn(["mariadb"], ctx.quick),
};

/** 8. The same on SQLite (the embedded default) and PostgreSQL. */
export const endToEndOthers: Scenario = {
  id: "8",
  title: "Hookline end to end (SQLite, PostgreSQL)",
  settings,
  round: (ctx) => roundOn(["sqlite", "postgres"], ctx.quick),
};
