import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { container, TOKENS } from "@hookline/core";
import knexFactory from "knex";
import { describe, expect, it } from "vitest";
import { openKnex } from "./connection.js";
import { knexStore } from "./knex-store.js";
import { DEFAULT_SQLITE_FILE, resolveOptions } from "./options.js";
import { registerKnexStore } from "./register.js";
import { tableNames } from "./schema/tables.js";

const memory = { client: "better-sqlite3", connection: { filename: ":memory:" }, useNullAsDefault: true };

describe("knexStore options", () => {
  it("defaults to an owned better-sqlite3 file ./hookline.sqlite and the hookline_ prefix", () => {
    const o = resolveOptions(undefined);
    expect(o.knex).toEqual({ client: "better-sqlite3", connection: { filename: DEFAULT_SQLITE_FILE } });
    expect(DEFAULT_SQLITE_FILE).toBe("./hookline.sqlite");
    expect(o).toMatchObject({ tablePrefix: "hookline_", maxResponseBodyBytes: 16_384, busyTimeoutMs: 5000 });
    expect(o.ownsKnex).toBe(true);
    expect(o.destroyOnClose).toBe(true);
    expect(Object.isFrozen(o)).toBe(true);
  });

  it("accepts a bare knex config or Knex instance as shorthand; a passed instance is not owned", async () => {
    expect(resolveOptions(memory)).toMatchObject({ knex: memory, ownsKnex: true });
    const db = knexFactory(memory);
    try {
      expect(resolveOptions(db)).toMatchObject({ ownsKnex: false, destroyOnClose: false });
      const store = knexStore(db);
      await store.migrate();
      await store.close();
      expect(await db.raw("SELECT 1 AS one")).toEqual([{ one: 1 }]);
    } finally {
      await db.destroy();
    }
  });

  it.each([
    [{ tablePrefix: "Bad-Prefix" }, /tablePrefix: expected a string matching/],
    [{ tablePrefix: "a".repeat(25) }, /tablePrefix/],
    [{ maxResponseBodyBytes: 0 }, /maxResponseBodyBytes: expected an integer from 1/],
    [{ busyTimeoutMs: 1.5 }, /busyTimeoutMs/],
    [{ destroyOnClose: "yes" }, /destroyOnClose: expected a boolean, got "yes"/],
    [{ knex: 42 }, /knex: expected a Knex instance or a knex config/],
    [{ tablPrefix: "x_" }, /knexStore options: unknown key "tablPrefix" \(did you mean "tablePrefix"\?\)/],
    [
      { knex: { client: "pg" }, BusyTimeoutMs: 5 },
      /unknown key "BusyTimeoutMs" \(did you mean "busyTimeoutMs"\?\)/,
    ],
    ["sqlite", /options: expected an options object/],
  ])("rejects %j with HOOKLINE_INVALID_OPTION", (opts, message) => {
    expect(() => knexStore(opts as never)).toThrow(message);
    expect(() => knexStore(opts as never)).toThrow(
      expect.objectContaining({ code: "HOOKLINE_INVALID_OPTION" }),
    );
  });

  it("checks only its own keys: a knex config's keys are knex's", () => {
    const knex = {
      client: "better-sqlite3",
      connection: { filename: ":memory:" },
      useNullAsDefault: true,
      pool: { min: 1, max: 1 },
      migrations: { tableName: "x" },
    };
    expect(resolveOptions({ knex, tablePrefix: "t_" }).knex).toBe(knex);
    expect(resolveOptions(knex).knex).toBe(knex);
  });

  it("refuses a bare knex config with store options beside its client (knex would ignore them)", () => {
    expect(() => knexStore({ client: "better-sqlite3", tablePrefix: "t_" } as never)).toThrow(
      /tablePrefix: expected the knex config under `knex` when other store options are given/,
    );
  });

  it("accepts an empty prefix", () => {
    expect(resolveOptions({ tablePrefix: "" }).tablePrefix).toBe("");
  });

  it("rejects clients it cannot serve, naming the client", () => {
    expect(() => knexStore({ knex: { client: "oracledb" } })).toThrow(
      expect.objectContaining({ code: "HOOKLINE_INVALID_OPTION" }),
    );
    const mssql = knexFactory({ client: "mssql" });
    expect(() => knexStore(mssql)).toThrow(
      /expected a better-sqlite3, sqlite3, mysql2, mysql or pg client, got "mssql"/,
    );
  });

  it("opens SQLite files in WAL mode with the busy handler off (retries happen asynchronously)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hookline-opt-"));
    const filename = join(dir, "x.sqlite");
    const { db } = openKnex(resolveOptions({ knex: { client: "better-sqlite3", connection: { filename } } }));
    try {
      expect(await db.raw("PRAGMA journal_mode")).toEqual([{ journal_mode: "wal" }]);
      expect(await db.raw("PRAGMA busy_timeout")).toEqual([{ timeout: 0 }]);
    } finally {
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("wraps an unreachable server as HOOKLINE_STORE_ERROR with the driver error as cause", async () => {
    const store = knexStore({
      knex: { client: "pg", connection: "postgres://root@127.0.0.1:1/none", acquireConnectionTimeout: 2000 },
    });
    const err = await store.getEvent("evt_x").catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: "HOOKLINE_STORE_ERROR",
      message: "HOOKLINE_STORE_ERROR: reading an event",
    });
    expect((err as Error).cause).toBeDefined();
    await store.close();
    await store.close();
  });

  it("registerKnexStore registers the store under TOKENS.Store", async () => {
    const db = knexFactory(memory);
    try {
      const child = container.createChildContainer();
      expect(child.isRegistered(TOKENS.Store)).toBe(false);
      registerKnexStore(child, { knex: db, tablePrefix: "reg_" });
      const store = child.resolve<{ migrate(): Promise<void>; close(): Promise<void> }>(TOKENS.Store);
      expect(child.resolve(TOKENS.Store)).toBe(store);
      // It is a store on the given knex and options: migrate() creates the prefixed tables there.
      await store.migrate();
      expect(await db.schema.hasTable(tableNames("reg_").events)).toBe(true);
      await store.close();
    } finally {
      await db.destroy();
    }
  });
});

describe("tableNames", () => {
  it("lists every table a store may create, children first", () => {
    expect(tableNames("hookline_").all).toEqual([
      "hookline_stats_hourly",
      "hookline_attempts",
      "hookline_deliveries",
      "hookline_events",
      "hookline_endpoint_sends",
      "hookline_endpoint_states",
      "hookline_migrations",
      "hookline_migrations_lock",
      "hookline_migrations_guard",
    ]);
  });
});
