import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { DeliveryStore, EndpointConfig } from "@hookline/core";
import { startHttpReceiver, type TestReceiver, until } from "@hookline/core/testing";
import {
  databaseConfig,
  dropTables,
  openStore,
  type TestTarget,
  testTargets,
  uniquePrefix,
} from "@hookline/store-knex/testing";
import knexFactory, { type Knex } from "knex";
import { afterEach, beforeEach, expect } from "vitest";

const WORKER = fileURLToPath(new URL("../workers/worker.mjs", import.meta.url));

/** The MariaDB target of this run: present, or failing (CI) / skipped (locally) with a reason. */
export async function mariadb(): Promise<TestTarget> {
  const target = (await testTargets()).find((t) => t.name === "mariadb");
  if (!target) throw new Error("no mariadb test target");
  return target;
}

/** The body of an add_credits event for buyer `i`. */
export const creditsBody = (i: number) =>
  JSON.stringify({
    buyerId: `b-${i}`,
    buyerName: "test",
    postCodeList: ["AB"],
    topUpAmount: 1,
    eventCode: "add_credits",
  });

/** A store on fresh tables of any server target (MariaDB or PostgreSQL), plus a plain knex pool. */
export async function openTargetTables(
  target: TestTarget,
  prefix: string,
): Promise<{ store: DeliveryStore; db: Knex; drop(): Promise<void> }> {
  const store = await openStore(target.config(), prefix);
  const db = knexFactory(target.config());
  return {
    store,
    db,
    async drop() {
      await store.close();
      await db.destroy();
      await dropTables(target.config(), prefix);
    },
  };
}

/** Count deliveries by status. */
export async function statusCounts(db: Knex, prefix: string): Promise<Record<string, number>> {
  const rows = (await db(`${prefix}deliveries`).select("status").count({ n: "*" }).groupBy("status")) as {
    status: string;
    n: number;
  }[];
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

/** A worker child process running the built packages. */
export interface WorkerProc {
  readonly child: ChildProcess;
  readonly messages: Record<string, unknown>[];
  waitFor(pred: (m: Record<string, unknown>[]) => boolean, timeoutMs?: number): Promise<void>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export function spawnWorker(cfg: {
  prefix: string;
  endpoints: EndpointConfig[];
  /** A knex config for the worker's store (e.g. a PostgreSQL target's). @default the MariaDB target's */
  knex?: Knex.Config;
  worker?: boolean;
  leaseMs?: number;
  timeoutMs?: number;
  /** The worker's idle wait between claims. @default 50 */
  pollIntervalMs?: number;
  batchSize?: number;
  workerId?: string;
  emit?: { count: number; concurrency: number };
  /** Unconfirmed publishes each broker transport allows before refusing a send. @default the transports' own */
  maxInFlight?: number;
}): WorkerProc {
  const knex = cfg.knex ?? databaseConfig("mariadb");
  const child = spawn(process.execPath, [WORKER, JSON.stringify({ ...cfg, knex })], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const messages: Record<string, unknown>[] = [];
  let buf = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    buf += chunk.toString("utf8");
    let nl = buf.indexOf("\n");
    while (nl >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (line.trim()) messages.push(JSON.parse(line));
      nl = buf.indexOf("\n");
    }
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    child,
    messages,
    waitFor: (pred, timeoutMs = 30_000) =>
      until(
        () => {
          if (pred(messages)) return true;
          if (child.exitCode !== null)
            throw new Error(`worker exited (${child.exitCode}) before the condition held`);
          return false;
        },
        { timeoutMs, what: "the worker's messages" },
      ),
    async kill(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/**
 * The crash tests' burst: a process emitting 1,000 add_credits, 32 at a time, with no poller
 * (emit() sends each delivery itself), SIGKILLed once it has reported 300 accepted. Returns the
 * ids it reported accepted (committed) and checks it really died mid-burst.
 */
export async function burstThenKill(
  procs: WorkerProc[],
  cfg: Pick<Parameters<typeof spawnWorker>[0], "prefix" | "endpoints" | "maxInFlight">,
): Promise<string[]> {
  const emitter = spawnWorker({
    ...cfg,
    worker: false,
    leaseMs: 3_000,
    emit: { count: 1_000, concurrency: 32 },
  });
  procs.push(emitter);
  await emitter.waitFor((m) => m.filter((x) => x.accepted).length >= 300, 60_000);
  await emitter.kill("SIGKILL");
  const accepted = emitter.messages.filter((m) => m.accepted).map((m) => String(m.accepted));
  expect(accepted.length).toBeGreaterThanOrEqual(300);
  expect(accepted.length).toBeLessThan(1_000); // it really died mid-burst
  return accepted;
}

/** Per-test receiver, fresh tables on `target` and child processes, torn down after each test. */
export function useProcessEnv(tag: string, target: TestTarget) {
  const env = {} as {
    receiver: TestReceiver;
    tables: Awaited<ReturnType<typeof openTargetTables>>;
    prefix: string;
    procs: WorkerProc[];
    received: () => string[];
  };
  beforeEach(async () => {
    env.receiver = await startHttpReceiver();
    env.prefix = uniquePrefix(tag);
    env.tables = await openTargetTables(target, env.prefix);
    env.procs = [];
    env.received = () => env.receiver.requests.map((r) => r.headers["webhook-id"]!);
  });
  afterEach(async () => {
    await Promise.all(env.procs.splice(0).map((p) => p.kill("SIGKILL")));
    await env.receiver.close();
    await env.tables.drop();
  });
  return env;
}
