import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";

const SCRIPT = fileURLToPath(new URL("../../workers/receiver.mjs", import.meta.url));
const IPC_TIMEOUT_MS = 10_000;

/** A receiver in its own process, so it does not share the dispatcher's event loop. */
export interface ReceiverProc {
  readonly url: string;
  readonly pid: number;
  /** Requests answered since start (or the last reset). */
  count(): Promise<number>;
  reset(): Promise<void>;
  /** Answer every request after `ms` (the slow-receiver scenario). */
  setDelay(ms: number): Promise<void>;
  /** Close the listening socket and every connection (true), or listen again on the same port. */
  setDown(down: boolean): Promise<void>;
  close(): Promise<void>;
}

/** Send `msg` and wait for the reply carrying `key`; bounded so a dead child cannot hang a run. */
export function ask<T>(child: ChildProcess, msg: unknown, key: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.off("message", on);
      reject(new Error(`child ${child.pid}: no answer to ${JSON.stringify(msg)} in ${IPC_TIMEOUT_MS} ms`));
    }, IPC_TIMEOUT_MS);
    const on = (m: Record<string, unknown>) => {
      if (m && typeof m === "object" && key in m) {
        clearTimeout(timer);
        child.off("message", on);
        resolve(m[key] as T);
      }
    };
    child.on("message", on);
    child.send(msg as string);
  });
}

export async function startReceiver(delayMs = 0): Promise<ReceiverProc> {
  const child = fork(SCRIPT, [`--delay-ms=${delayMs}`], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("receiver did not start in 10 s")), IPC_TIMEOUT_MS);
    child.once("message", (m: { port: number }) => {
      clearTimeout(timer);
      resolve(m.port);
    });
    child.once("exit", (code) => reject(new Error(`receiver exited (${code}) before listening`)));
  }).catch(async (err) => {
    child.kill("SIGKILL");
    await exited;
    throw err;
  });
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    pid: child.pid ?? -1,
    count: () => ask<number>(child, "count", "count"),
    reset: async () => void (await ask<boolean>(child, "reset", "reset")),
    setDelay: async (ms) => void (await ask<number>(child, { delayMs: ms }, "delayMs")),
    setDown: async (down) => void (await ask<boolean>(child, { down }, "down")),
    close: () => closeChild(child, exited),
  };
}

/** Disconnect IPC (the child exits on that) and wait for the exit; SIGKILL after 5 s. */
export async function closeChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const killer = setTimeout(() => child.kill("SIGKILL"), 5000);
  child.disconnect();
  await exited;
  clearTimeout(killer);
}
