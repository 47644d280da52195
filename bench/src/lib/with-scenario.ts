import type { DeliveryStore, DispatchMode, Transport, WorkerOptions } from "@hookline/core";
import { knexStore } from "@hookline/store-knex";
import knexFactory, { type Knex } from "knex";
import { type BenchQueue, type BenchStream, openQueue, openStream } from "./brokers.js";
import { type DbName, type DbTarget, openTarget, serverConfig } from "./db.js";
import { type BenchHookline, type BenchTelemetry, benchHookline } from "./hookline.js";
import { newAgent } from "./http-client.js";
import { type ReceiverProc, startReceiver } from "./receiver.js";
import { spawnWorker, type WorkerConfig, type WorkerProc } from "./worker-proc.js";

/** Where a scenario's tables live. */
export type TargetSpec =
  /** Fresh tables under a new `bn_<tag>_…` prefix (SQLite: a new file), dropped at the end. */
  | { readonly db: DbName; readonly tag: string; readonly pool?: number }
  /** Tables that outlive the run (the admin-query seed): opened under `prefix`, never dropped. */
  | { readonly db: Exclude<DbName, "sqlite">; readonly prefix: string; readonly pool?: number };

type Cleanup = () => Promise<unknown> | unknown;

/** What every scenario may open; each is closed when the scenario's body returns or throws. */
export interface Scope {
  /** A receiver process on loopback answering after `delayMs`. */
  receiver(delayMs?: number): Promise<ReceiverProc>;
  /** A keep-alive undici agent (the transport's client settings). */
  agent(): ReturnType<typeof newAgent>;
  /** A durable RabbitMQ queue under a unique name, drained by a consumer process; deleted at the end. */
  amqpQueue(tag: string): Promise<BenchQueue>;
  /** A JetStream stream under a unique name; deleted at the end. */
  natsStream(tag: string): Promise<BenchStream>;
  /** Run `fn` at the end, before anything opened earlier is closed. */
  defer(fn: Cleanup): void;
}

/** A scope with tables: the pools, stores, Hookline instances and workers that use them. */
export interface TablesScope extends Scope {
  readonly target: DbTarget;
  /** A knex pool on the target. */
  knex(): Knex;
  /** A knexStore on the target's tables (its own pool unless `knex` is given). */
  store(opts?: { readonly knex?: Knex; readonly migrate?: boolean }): Promise<DeliveryStore>;
  /**
   * benchHookline on the target, stopped at the end (stop() also closes its store; calling it
   * earlier, to read the log after a clean stop, is fine: it is idempotent).
   */
  hookline(o: {
    readonly url: string;
    readonly mode?: DispatchMode;
    readonly worker?: WorkerOptions;
    /** A store to use instead of a plain knexStore on the target (e.g. a profiled one). */
    readonly store?: DeliveryStore;
    /** The endpoint's transport (e.g. a broker's); HTTP if absent. */
    readonly transport?: Transport;
    /** Hookline's `telemetry` option; the product default if absent. */
    readonly telemetry?: BenchTelemetry;
  }): BenchHookline;
  /** A worker process on the target's tables, started with `start()`, stopped at the end. */
  worker(cfg: Omit<WorkerConfig, "prefix">): Promise<WorkerProc>;
}

/** A knexStore on the target's tables with its own pool, not closed by any scope. */
export const storeOn = (target: DbTarget): DeliveryStore =>
  knexStore({ knex: target.config, tablePrefix: target.prefix });

function openSpec(spec: TargetSpec): DbTarget {
  if ("tag" in spec) return openTarget(spec.db, spec.tag, spec.pool);
  return {
    name: spec.db,
    config: serverConfig(spec.db, spec.pool),
    prefix: spec.prefix,
    cleanup: async () => {},
  };
}

/**
 * The scaffold every scenario runs in: open the target, then whatever the body asks for
 * (receiver, agent, broker queue or stream, pools, stores, Hookline, workers), and close all of it in reverse order of
 * opening however the body ends. Every cleanup runs; the body's error, else the first cleanup
 * error, is thrown.
 */
export function withScenario<T>(target: TargetSpec, run: (s: TablesScope) => Promise<T>): Promise<T>;
export function withScenario<T>(target: null, run: (s: Scope) => Promise<T>): Promise<T>;
export async function withScenario<T>(
  spec: TargetSpec | null,
  run: (s: TablesScope) => Promise<T>,
): Promise<T> {
  const cleanups: Cleanup[] = [];
  const defer = (fn: Cleanup) => void cleanups.push(fn);
  let target: DbTarget | undefined;
  const tables = (): DbTarget => {
    if (!target) throw new Error("withScenario: this scenario has no target");
    return target;
  };
  const scope: TablesScope = {
    get target() {
      return tables();
    },
    defer,
    async receiver(delayMs = 0) {
      const r = await startReceiver(delayMs);
      defer(() => r.close());
      return r;
    },
    agent() {
      const a = newAgent();
      defer(() => a.close());
      return a;
    },
    async amqpQueue(tag) {
      const q = await openQueue(tag);
      defer(() => q.close());
      return q;
    },
    async natsStream(tag) {
      const st = await openStream(tag);
      defer(() => st.close());
      return st;
    },
    knex() {
      const db = knexFactory(tables().config);
      defer(() => db.destroy());
      return db;
    },
    async store(opts = {}) {
      const t = tables();
      const store = knexStore({ knex: opts.knex ?? t.config, tablePrefix: t.prefix });
      defer(() => store.close());
      if (opts.migrate) await store.migrate();
      return store;
    },
    hookline(o) {
      const hooks = benchHookline({ ...o, target: tables() });
      defer(() => hooks.stop().catch(() => {}));
      return hooks;
    },
    async worker(cfg) {
      const w = await spawnWorker({ ...cfg, prefix: tables().prefix });
      defer(() => w.stop());
      return w;
    },
  };
  /** Every cleanup, newest first; the first error, if any. */
  const closeAll = async (): Promise<{ error: unknown } | undefined> => {
    let first: { error: unknown } | undefined;
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch (error) {
        first ??= { error };
      }
    }
    return first;
  };
  let result: T;
  try {
    if (spec) {
      const t = openSpec(spec);
      target = t;
      defer(() => t.cleanup());
    }
    result = await run(scope);
  } catch (err) {
    await closeAll();
    throw err;
  }
  const failed = await closeAll();
  if (failed) throw failed.error;
  return result;
}
