import { type ChildProcess, fork } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { EndpointConfig, RetryOptions, WorkerOptions } from "@hookline/core";
import { MARIADB_URL } from "@hookline/store-knex/testing";
import type { StoreProfile } from "./store-profile.js";

const SCRIPT = fileURLToPath(new URL("../../workers/worker.mjs", import.meta.url));

export interface WorkerConfig {
  readonly prefix: string;
  readonly endpoints: readonly EndpointConfig[];
  readonly worker?: WorkerOptions;
  readonly retry?: RetryOptions;
}

/** A worker child process running the built packages, controlled over IPC. */
export interface WorkerProc {
  readonly pid: number;
  readonly errors: string[];
  start(): Promise<void>;
  /** Peak resident set size so far (VmHWM from /proc/<pid>/status), in MB. */
  peakRssMb(): number;
  /** The child's process.memoryUsage(): tells JS heap from native memory. */
  mem(): Promise<NodeJS.MemoryUsage>;
  /** Stop the worker (it drains in-flight attempts) and return its per-call store timings. */
  stop(): Promise<StoreProfile | undefined>;
}

/** Wait for a message carrying `key` (resolving with its value), or fail after `ms` or on exit. */
function expect<T = unknown>(child: ChildProcess, key: string, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const done = (err?: Error, value?: unknown) => {
      clearTimeout(timer);
      child.off("message", on);
      child.off("exit", onExit);
      if (err) reject(err);
      else resolve(value as T);
    };
    const on = (m: Record<string, unknown>) => key in m && done(undefined, m[key]);
    const onExit = (code: number | null) =>
      done(new Error(`worker exited (${code}) while waiting for ${key}`));
    const timer = setTimeout(() => done(new Error(`worker: no ${key} in ${ms} ms`)), ms);
    child.on("message", on);
    child.once("exit", onExit);
  });
}

export async function spawnWorker(cfg: WorkerConfig): Promise<WorkerProc> {
  const child = fork(SCRIPT, [`--config=${JSON.stringify({ databaseUrl: MARIADB_URL, ...cfg })}`], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const errors: string[] = [];
  let profile: StoreProfile | undefined;
  child.on("message", (m: { error?: string; profile?: StoreProfile }) => {
    if (m.error) errors.push(m.error);
    if (m.profile) profile = m.profile;
  });
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const alive = () => child.exitCode === null && child.signalCode === null;
  try {
    await expect(child, "ready", 30_000);
  } catch (err) {
    child.kill("SIGKILL");
    await exited;
    throw err;
  }
  return {
    pid: child.pid ?? -1,
    errors,
    async start() {
      const started = expect(child, "started", 30_000);
      child.send("start");
      await started;
    },
    peakRssMb() {
      const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
      const kb = /VmHWM:\s+(\d+)\s+kB/.exec(status)?.[1];
      if (!kb) throw new Error(`no VmHWM in /proc/${child.pid}/status`);
      return Number(kb) / 1024;
    },
    async mem() {
      const usage = expect<NodeJS.MemoryUsage>(child, "mem", 10_000);
      child.send("mem");
      return usage;
    },
    async stop() {
      if (!alive()) return profile;
      // A stop that hangs past the worker's own grace period is killed: bounded in time.
      const killer = setTimeout(() => child.kill("SIGKILL"), 30_000);
      child.send("stop");
      await exited;
      clearTimeout(killer);
      return profile;
    },
  };
}
