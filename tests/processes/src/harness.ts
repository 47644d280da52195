import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { DeliveryStore, EndpointConfig } from "@hookline/core";
import { startHttpReceiver, type TestReceiver } from "@hookline/core/testing";
import { knexStore, tableNames } from "@hookline/store-knex";
import {
  dropTables,
  MARIADB_URL,
  openStore,
  type TestTarget,
  testTargets,
} from "@hookline/store-knex/testing";
import knexFactory, { type Knex } from "knex";
import { afterEach, beforeEach } from "vitest";

const WORKER = fileURLToPath(new URL("../workers/worker.mjs", import.meta.url));

/** The MariaDB target of this run: present, or failing (CI) / skipped (locally) with a reason. */
export async function mariadb(): Promise<TestTarget> {
  const target = (await testTargets()).find((t) => t.name === "mariadb");
  if (!target) throw new Error("no mariadb test target");
  return target;
}

/** MariaDB URL used by worker child processes and for per-test users. */
export const MYSQL_URL = MARIADB_URL;

export const uniquePrefix = (tag: string) =>
  `p${tag}${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}_`;

/** A store on a fresh set of tables, plus a plain knex pool for assertions. */
export async function openTables(
  prefix: string,
  uri = MYSQL_URL,
): Promise<{ store: DeliveryStore; db: Knex; drop(): Promise<void> }> {
  const store = knexStore({
    knex: { client: "mysql2", connection: { uri, charset: "utf8mb4" } },
    tablePrefix: prefix,
  });
  await store.migrate();
  const db = knexFactory({ client: "mysql2", connection: { uri: MYSQL_URL, charset: "utf8mb4" } });
  return {
    store,
    db,
    async drop() {
      await store.close();
      for (const t of tableNames(prefix).all) await db.schema.dropTableIfExists(t);
      await db.destroy();
    },
  };
}

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
  databaseUrl?: string;
  /** A knex config for the worker's store instead of MariaDB at databaseUrl (e.g. a PostgreSQL target's). */
  knex?: Knex.Config;
  worker?: boolean;
  leaseMs?: number;
  timeoutMs?: number;
  batchSize?: number;
  workerId?: string;
  emit?: { count: number; concurrency: number };
}): WorkerProc {
  const child = spawn(process.execPath, [WORKER, JSON.stringify({ databaseUrl: MYSQL_URL, ...cfg })], {
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
      new Promise((resolve, reject) => {
        const started = Date.now();
        const tick = () => {
          if (pred(messages)) return resolve();
          if (child.exitCode !== null)
            return reject(new Error(`worker exited (${child.exitCode}) before the condition held`));
          if (Date.now() - started > timeoutMs)
            return reject(new Error(`worker: condition not met in ${timeoutMs} ms`));
          setTimeout(tick, 20);
        };
        tick();
      }),
    async kill(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** Poll until `check` returns true. */
export async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Per-test receiver, fresh tables and child processes, torn down after each test. */
export function useProcessEnv(tag: string) {
  const env = {} as {
    receiver: TestReceiver;
    tables: Awaited<ReturnType<typeof openTables>>;
    prefix: string;
    procs: WorkerProc[];
    received: () => string[];
  };
  beforeEach(async () => {
    env.receiver = await startHttpReceiver();
    env.prefix = uniquePrefix(tag);
    env.tables = await openTables(env.prefix);
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
