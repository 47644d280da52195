import type { DeliveryStore, HooklineError } from "@hookline/core";
import { makeEvent } from "@hookline/core/testing";
import knexFactory, { type Knex } from "knex";
import { afterEach, beforeEach, expect, it } from "vitest";
import { testHooks } from "./__fixtures__/test-hooks.js";
import { knexStore } from "./knex-store.js";
import { tableNames } from "./schema/tables.js";
import {
  describeTargets,
  dropTables,
  sqliteFile,
  type TestTarget,
  testTargets,
  uniquePrefix,
} from "./testing/databases.js";
import { SERVER_TRIES } from "./util/retry.js";

// One failing store call, counted end to end: emit() or a completion through core, into a real
// store. A conflict (a lock held by another connection) is the store's to retry, and core calls
// once; a closed pool is core's to retry, and the store tries once per call.

const BUSY_TIMEOUT_MS = 300;
/** Core's tries (see DeliveryStore): insertEvents without trx, and complete. */
const CORE_INSERT_TRIES = 4;
const CORE_COMPLETE_TRIES = 6;

type AfterCreate = (conn: unknown, done: (err: Error | null, conn: unknown) => void) => void;

/** Locks give up fast here, so a conflict costs a second, not the server's default wait. */
function setup(target: TestTarget, config: Knex.Config): Knex.Config {
  const afterCreate: AfterCreate = (conn, done) => {
    if (target.name === "sqlite") {
      // What the store sets on SQLite pools it creates: no (event-loop-blocking) busy handler.
      const c = conn as { pragma(s: string): unknown };
      c.pragma("journal_mode = WAL");
      c.pragma("busy_timeout = 0");
      return done(null, conn);
    }
    const sql =
      target.name === "mariadb" ? "SET SESSION innodb_lock_wait_timeout = 1" : "SET lock_timeout = '300ms'";
    (conn as { query(s: string, cb: (err: Error | null) => void): void }).query(sql, (err) =>
      done(err, conn),
    );
  };
  return { ...config, useNullAsDefault: true, pool: { min: 0, max: 4, afterCreate } };
}

/** Counts every call core makes to the store, by method. */
function counting(store: DeliveryStore): { store: DeliveryStore; calls: Map<string, number> } {
  const calls = new Map<string, number>();
  const proxy = new Proxy(store, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (typeof value !== "function" || typeof key !== "string") return value;
      return (...args: unknown[]) => {
        calls.set(key, (calls.get(key) ?? 0) + 1);
        return value.apply(target, args);
      };
    },
  });
  return { store: proxy, calls };
}

const targets = await testTargets();

describeTargets(targets, "one failing store call is retried by one layer", (target) => {
  let config: () => Knex.Config;
  let cleanupFile: (() => void) | undefined;
  let prefix: string;
  let db: Knex;
  let holderDb: Knex;
  /** The store's transactions that ended in a ROLLBACK: one per failed try. */
  let rollbacks: number;

  beforeEach(async () => {
    config = target.config;
    if (target.name === "sqlite") {
      const file = sqliteFile();
      config = file.config;
      cleanupFile = file.cleanup;
    }
    prefix = uniquePrefix("rb");
    db = knexFactory(setup(target, config()));
    holderDb = knexFactory(setup(target, config()));
    await knexStore({ knex: db, tablePrefix: prefix }).migrate();
    rollbacks = 0;
    db.on("query", (q: { sql?: string }) => {
      if (/^ROLLBACK;?$/i.test(q.sql ?? "")) rollbacks++;
    });
  });
  afterEach(async () => {
    await db.destroy();
    await holderDb.destroy();
    await dropTables(config(), prefix);
    cleanupFile?.();
  });

  function hooks() {
    const real = knexStore({ knex: db, tablePrefix: prefix, busyTimeoutMs: BUSY_TIMEOUT_MS });
    const { store, calls } = counting(real);
    const { hooks: h, receiver } = testHooks(store, { enabled: false });
    const errors: unknown[] = [];
    h.on("error", ({ error }) => errors.push(error));
    return { hooks: h, receiver, calls, errors };
  }

  /** Hold the write lock (SQLite) or the row lock on every delivery (servers) until rolled back. */
  async function lockDeliveries(): Promise<Knex.Transaction> {
    const trx = await holderDb.transaction();
    const q = trx(tableNames(prefix).deliveries);
    if (target.name === "sqlite") await q.update({ updated_at: trx.ref("updated_at") });
    else await q.select("id").forUpdate();
    return trx;
  }

  it("a conflict on an insert: the store's tries inside one core call", async () => {
    const { hooks: h, calls } = hooks();
    await h.start();
    // An uncommitted event with the same idempotency key: the insert waits on its key (servers)
    // or finds the database locked (SQLite), until the holder ends.
    const holder = await holderDb.transaction();
    const other = knexStore({ knex: holderDb, tablePrefix: prefix });
    await other.insertEvents([makeEvent({ idempotencyKey: "k", endpoints: ["a"] })], { trx: holder });
    const started = Date.now();
    const err = (await h.emit("ping", { n: 1 }, { idempotencyKey: "k" }).catch((e) => e)) as HooklineError;
    const elapsed = Date.now() - started;
    await holder.rollback();
    expect(err).toMatchObject({ code: "HOOKLINE_STORE_ERROR", details: { retryable: false } });
    expect(calls.get("insertEvents")).toBe(1);
    if (target.name === "sqlite") {
      // SQLite's budget is time: busyTimeoutMs, not once per core try.
      expect(err.details?.tries).toBe(rollbacks);
      expect(elapsed).toBeGreaterThanOrEqual(BUSY_TIMEOUT_MS);
      expect(elapsed).toBeLessThan(3 * BUSY_TIMEOUT_MS);
    } else {
      expect(err.details?.tries).toBe(SERVER_TRIES);
      expect(rollbacks).toBe(SERVER_TRIES);
    }
    // The same emit goes through once the lock is gone.
    expect((await h.emit("ping", { n: 1 }, { idempotencyKey: "k" })).duplicate).toBe(false);
    await h.stop();
  });

  it("a closed pool on an insert: core's tries, one store call each", async () => {
    const { hooks: h, calls } = hooks();
    await h.start();
    await db.destroy();
    const started = Date.now();
    const err = (await h.emit("ping", { n: 1 }).catch((e) => e)) as HooklineError;
    expect(err).toMatchObject({ code: "HOOKLINE_STORE_ERROR", details: undefined });
    expect(err.message).toMatch(`failed after ${CORE_INSERT_TRIES} tries`);
    expect(calls.get("insertEvents")).toBe(CORE_INSERT_TRIES);
    // Back-off: 50, 100, 200 ms, each randomised ×1–2.
    expect(Date.now() - started).toBeLessThan(1500);
    await h.stop();
    db = knexFactory(setup(target, config()));
  });

  it("a conflict on a completion: the store's tries inside one core call", async () => {
    const { hooks: h, receiver, calls, errors } = hooks();
    await h.start();
    let holder: Knex.Transaction | undefined;
    // The receiver answers only once the delivery's row is locked by another connection.
    receiver.on("/a", async () => {
      holder = await lockDeliveries();
      return {};
    });
    const r = await h.emit("ping", { n: 1 }, { wait: "attempted" });
    await holder?.rollback();
    expect(r.attempts?.[0]).toMatchObject({ recorded: false });
    expect(calls.get("complete")).toBe(1);
    expect(errors).toEqual([
      expect.objectContaining({
        code: "HOOKLINE_STORE_ERROR",
        details: expect.objectContaining({ retryable: false }),
      }),
    ]);
    if (target.name !== "sqlite") expect(rollbacks).toBe(SERVER_TRIES);
    await h.stop();
  });

  it("a closed pool on a completion: core's tries, one store call each", async () => {
    const { hooks: h, receiver, calls, errors } = hooks();
    await h.start();
    receiver.on("/a", async () => {
      await db.destroy();
      return {};
    });
    const r = await h.emit("ping", { n: 1 }, { wait: "attempted" });
    expect(r.attempts?.[0]).toMatchObject({ recorded: false });
    expect(calls.get("complete")).toBe(CORE_COMPLETE_TRIES);
    expect(errors).toEqual([
      expect.objectContaining({
        message: expect.stringContaining(`failed after ${CORE_COMPLETE_TRIES} tries`),
      }),
    ]);
    await h.stop();
    db = knexFactory(setup(target, config()));
  });
});
