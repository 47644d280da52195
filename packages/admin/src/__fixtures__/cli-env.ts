import type { DeliveryStore } from "@hookline/core";
import { afterAll, beforeAll } from "vitest";
import { cli } from "./cli-harness.js";
import { configDir, envRef, jsonConfig } from "./config-dir.js";
import { type LiveHookline, startLiveHookline, testEndpoints } from "./live-hookline.js";
import { tempSqliteStore } from "./sqlite-store.js";

export interface CliEnv {
  readonly store: DeliveryStore;
  readonly live: LiveHookline;
  /** Delivery ids emitted in beforeAll (settled). */
  readonly ids: readonly string[];
  readonly dir: string;
  readonly env: NodeJS.ProcessEnv;
  run(
    argv: readonly string[],
    extra?: { isTTY?: boolean; env?: NodeJS.ProcessEnv; now?: () => Date },
  ): ReturnType<typeof cli>;
}

/**
 * A real SQLite log filled by a running Hookline (buyer events over HTTP), and a deployment
 * directory whose hookline.config.json points the CLI at the same database.
 */
export function useCliEnv(rounds: number): () => CliEnv {
  let env: CliEnv | undefined;
  let cleanups: (() => unknown)[] = [];
  beforeAll(async () => {
    const db = await tempSqliteStore();
    const live = await startLiveHookline(db.file, db.store);
    const ids = await live.emitRounds(rounds);
    const cfg = configDir({
      // URLs keep a ${ORIGIN} placeholder: the CLI substitutes it from its env.
      "hookline.config.json": jsonConfig(testEndpoints(envRef("ORIGIN"))),
    });
    const vars = { HL_DB: db.file, ORIGIN: live.receiver.baseUrl };
    cleanups = [() => live.stop(), () => db.cleanup(), () => cfg.cleanup()];
    env = {
      store: db.store,
      live,
      ids,
      dir: cfg.dir,
      env: vars,
      run: (argv, extra = {}) =>
        cli(argv, {
          cwd: cfg.dir,
          env: { ...vars, ...extra.env },
          isTTY: extra.isTTY ?? false,
          ...(extra.now ? { now: extra.now } : {}),
        }),
    };
  });
  afterAll(async () => {
    for (const c of cleanups) await c();
  });
  return () => {
    if (!env) throw new Error("useCliEnv: not set up");
    return env;
  };
}
