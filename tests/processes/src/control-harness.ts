import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createHookline, type EndpointConfig } from "@hookline/core";
import { until } from "@hookline/core/testing";
import { buyerEvents } from "@hookline/events-buyer";
import { knexStore } from "@hookline/store-knex";
import { httpTransport } from "@hookline/transport-http";
import type { Knex } from "knex";
import type { WorkerProc } from "./harness.js";

const CONTROL_WORKER = fileURLToPath(new URL("../workers/control-worker.mjs", import.meta.url));

/** What workers/control-worker.mjs takes (JSON in argv). */
export interface ControlWorkerConfig {
  readonly knex: Knex.Config;
  readonly prefix: string;
  readonly endpoints: readonly EndpointConfig[];
  readonly workerId: string;
  /** @default true */
  readonly worker?: boolean;
  /** @default 30000 */
  readonly leaseMs?: number;
  /** @default 20 */
  readonly batchSize?: number;
  /** The HTTP transport's deadline per attempt. @default 5000 */
  readonly timeoutMs?: number;
  readonly maxInFlight?: number;
  readonly maxQueued?: number;
  /**
   * post_code_change for each subject, perSubject times, from `lanes` concurrent callers, each
   * pausing `pauseMs` (default 0) after each emit.
   */
  readonly emit?: {
    readonly subjects: readonly string[];
    readonly perSubject: number;
    readonly lanes: number;
    readonly pauseMs?: number;
  };
}

/** A control-worker child process; its stdout JSON lines land in `messages`. */
export function spawnControlWorker(cfg: ControlWorkerConfig): WorkerProc {
  const child = spawn(process.execPath, [CONTROL_WORKER, JSON.stringify(cfg)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const messages: Record<string, unknown>[] = [];
  let buf = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    buf += chunk.toString("utf8");
    for (let nl = buf.indexOf("\n"); nl >= 0; nl = buf.indexOf("\n")) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (line.trim()) messages.push(JSON.parse(line));
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
            throw new Error(`${cfg.workerId} exited (${child.exitCode}) before the condition held`);
          return false;
        },
        { timeoutMs, what: `${cfg.workerId}'s messages` },
      ),
    async kill(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** Spawn `n` worker processes (w1…wn) and wait until each has started. */
export async function startWorkers(
  procs: WorkerProc[],
  n: number,
  cfg: Omit<ControlWorkerConfig, "workerId">,
): Promise<WorkerProc[]> {
  const started = Array.from({ length: n }, (_, i) => spawnControlWorker({ ...cfg, workerId: `w${i + 1}` }));
  procs.push(...started);
  await Promise.all(started.map((w) => w.waitFor((m) => m.some((x) => x.ready))));
  return started;
}

/** An emit-only Hookline in the test process (no worker: the worker processes retry). */
export function testEmitter(o: {
  knex: Knex.Config;
  prefix: string;
  endpoints: readonly EndpointConfig[];
  worker?: { enabled?: boolean; maxInFlight?: number; maxQueued?: number; leaseMs?: number };
  /** Create the tables in start() (a fresh SQLite file). @default false */
  migrate?: boolean;
  /** The HTTP transport's deadline per attempt. @default 5000 */
  timeoutMs?: number;
}) {
  return createHookline({
    plugins: [buyerEvents()],
    endpoints: o.endpoints,
    store: knexStore({ knex: o.knex, tablePrefix: o.prefix }),
    transport: httpTransport({ ssrf: { allow: ["127.0.0.1/32"] }, timeoutMs: o.timeoutMs ?? 5_000 }),
    retry: { schedule: [100, 100, 100, 100, 100, 100, 100, 100], jitter: 0 },
    worker: { enabled: false, leaseMs: 30_000, pollIntervalMs: 50, workerId: "emitter", ...o.worker },
    migrate: o.migrate ?? false,
  });
}

/** One delivery row, as the assertions read it. */
export interface DeliveryRow {
  readonly id: string;
  readonly eventId: string;
  readonly subject: string | null;
  readonly status: string;
  readonly attempts: number;
  readonly lastErrorCode: string | null;
  readonly createdAt: number;
}

/** Every delivery, in emit order: (created_at, id), the order the store orders subjects by. */
export async function deliveryRows(db: Knex, prefix: string): Promise<DeliveryRow[]> {
  const rows = (await db(`${prefix}deliveries`)
    .select("id", "event_id", "subject", "status", "attempts", "last_error_code", "created_at")
    .orderBy([{ column: "created_at" }, { column: "id" }])) as Record<string, unknown>[];
  return rows.map((r) => ({
    id: String(r.id),
    eventId: String(r.event_id),
    subject: r.subject == null ? null : String(r.subject),
    status: String(r.status),
    attempts: Number(r.attempts),
    lastErrorCode: r.last_error_code == null ? null : String(r.last_error_code),
    createdAt: Number(r.created_at),
  }));
}

/** Attempt rows per delivery id. */
export async function attemptCounts(db: Knex, prefix: string): Promise<Map<string, number>> {
  const rows = (await db(`${prefix}attempts`)
    .select("delivery_id")
    .count({ n: "*" })
    .groupBy("delivery_id")) as { delivery_id: string; n: number | string }[];
  return new Map(rows.map((r) => [r.delivery_id, Number(r.n)]));
}

/** How many times each value occurs. */
export function tally(values: Iterable<string>): Map<string, number> {
  const m = new Map<string, number>();
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
  return m;
}

/** Group `items` by `key`, keeping their order within each group. */
export function groupBy<T>(items: Iterable<T>, key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const t of items) {
    const k = key(t);
    const list = m.get(k);
    if (list) list.push(t);
    else m.set(k, [t]);
  }
  return m;
}
