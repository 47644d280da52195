import { makeEvent } from "@hookline/core/testing";
import knexFactory, { type Knex } from "knex";
import { expect, it } from "vitest";
import { useMigrationEnv } from "../__fixtures__/migration-env.js";
import { knexStore } from "../knex-store.js";
import { tableNames } from "../schema/tables.js";
import { describeTargets, testTargets, uniquePrefix } from "../testing/databases.js";
import { MIGRATIONS, migrationSource } from "./index.js";

const targets = await testTargets();

describeTargets(targets, "migrate", (target) => {
  const env = useMigrationEnv(target);
  const { config } = env;

  it("is safe to race: five stores (five processes' worth of pools) migrate one fresh schema at once", async () => {
    const prefix = env.prefix("mg");
    const stores = Array.from({ length: 5 }, () => knexStore({ knex: config(), tablePrefix: prefix }));
    try {
      await Promise.all(stores.map((s) => s.migrate()));
      await Promise.all(stores.map((s) => s.migrate()));
      const ev = makeEvent();
      await stores[0]!.insertEvents([ev]);
      expect((await stores[4]!.getEvent(ev.id))?.id).toBe(ev.id);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it("creates only prefixed tables, records the shipped migrations, and keeps MySQL tables utf8mb4", async () => {
    const prefix = env.prefix("mg");
    const store = knexStore({ knex: config(), tablePrefix: prefix });
    const db = knexFactory(config());
    try {
      await store.migrate();
      const t = tableNames(prefix);
      for (const name of [
        t.events,
        t.deliveries,
        t.attempts,
        t.endpoints,
        t.endpointSends,
        t.statsHourly,
        t.migrations,
      ])
        expect(await db.schema.hasTable(name)).toBe(true);
      const applied = await db(t.migrations).select("name").orderBy("id");
      expect(applied.map((r) => r.name)).toEqual(MIGRATIONS.map((m) => m.name));
      if (target.name === "mariadb") {
        const [rows] = await db.raw(
          "SELECT table_name AS name, table_collation AS col FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name LIKE ?",
          [`${prefix}%`],
        );
        const data = (rows as { name: string; col: string }[]).filter((r) => !r.name.includes("migrations"));
        expect(data).toHaveLength(6);
        for (const r of data) expect(r.col).toBe("utf8mb4_nopad_bin");
      }
    } finally {
      await store.close();
      await db.destroy();
    }
  });

  it("recovers from a migration killed half-way: stale knex lock row and an empty leftover table", async () => {
    const prefix = env.prefix("mg");
    const t = tableNames(prefix);
    const db = knexFactory(config());
    const store = knexStore({ knex: config(), tablePrefix: prefix });
    try {
      // What a process killed inside 0001 on MySQL leaves: knex's tables, its lock row still set,
      // and the first table created but the step unrecorded.
      await db.schema.createTable(t.migrations, (tb) => {
        tb.increments("id");
        tb.string("name");
        tb.integer("batch");
        tb.timestamp("migration_time");
      });
      await db.schema.createTable(`${t.migrations}_lock`, (tb) => {
        tb.increments("index");
        tb.integer("is_locked");
      });
      await db(`${t.migrations}_lock`).insert([{ is_locked: 1 }, { is_locked: 0 }]);
      await db.schema.createTable(t.events, (tb) => {
        tb.string("id", 64).primary();
      });
      await store.migrate();
      const ev = makeEvent({ idempotencyKey: "k" });
      await store.insertEvents([ev]);
      expect((await store.insertEvents([makeEvent({ idempotencyKey: "k" })])).duplicates.size).toBe(1);
      expect((await db(t.migrations).select("name")).map((r) => r.name)).toEqual(
        MIGRATIONS.map((m) => m.name),
      );
    } finally {
      await store.close();
      await db.destroy();
    }
  });

  it("refuses to replace a leftover table that holds rows", async () => {
    const prefix = env.prefix("mg");
    const t = tableNames(prefix);
    const db = knexFactory(config());
    const store = knexStore({ knex: config(), tablePrefix: prefix });
    try {
      await db.schema.createTable(t.events, (tb) => {
        tb.string("id", 64).primary();
      });
      await db(t.events).insert({ id: "precious" });
      await expect(store.migrate()).rejects.toThrow(/already holds rows.*refusing to replace it/);
      expect(await db(t.events).select("id")).toEqual([{ id: "precious" }]);
    } finally {
      await store.close();
      await db.destroy();
    }
  });

  it("wraps driver failures: using the store before migrate() is a HOOKLINE_STORE_ERROR naming the operation", async () => {
    const prefix = env.prefix("mg");
    const store = knexStore({ knex: config(), tablePrefix: prefix });
    try {
      const err = await store.insertEvents([makeEvent()]).catch((e: unknown) => e);
      expect(err).toMatchObject({
        code: "HOOKLINE_STORE_ERROR",
        message: "HOOKLINE_STORE_ERROR: inserting events",
      });
      expect((err as Error).cause).toBeInstanceOf(Error);
      await expect(store.listDeliveries({}, { limit: 5 })).rejects.toMatchObject({
        code: "HOOKLINE_STORE_ERROR",
      });
    } finally {
      await store.close();
    }
  });

  it("exposes the migrations as a knex migration source (for tools that run knex themselves)", async () => {
    const prefix = env.prefix("mg");
    const db = knexFactory(config());
    try {
      const dialect = target.name === "sqlite" ? "sqlite" : target.name === "mariadb" ? "mysql" : "postgres";
      const opts = {
        migrationSource: migrationSource({ prefix, dialect }),
        tableName: `${prefix}migrations`,
      };
      await db.migrate.latest(opts);
      expect(await db.schema.hasTable(`${prefix}deliveries`)).toBe(true);
      await db.migrate.rollback(opts, true);
      expect(await db.schema.hasTable(`${prefix}deliveries`)).toBe(false);
    } finally {
      await db.destroy();
    }
  });
});

const mariadb = targets.find((t) => t.name === "mariadb")!;
describeTargets([mariadb], "MySQL session checks", (target) => {
  it("refuses a session with NO_BACKSLASH_ESCAPES instead of storing mangled bodies", async () => {
    const base = target.config() as Knex.Config;
    const store = knexStore({
      knex: {
        ...base,
        pool: {
          min: 0,
          max: 1,
          afterCreate: (
            conn: { query: (sql: string, cb: (e: unknown) => void) => void },
            done: (e: unknown, c: unknown) => void,
          ) =>
            conn.query("SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES')", (e) =>
              done(e, conn),
            ),
        },
      },
      tablePrefix: uniquePrefix("nb"),
    });
    try {
      await expect(store.migrate()).rejects.toMatchObject({
        code: "HOOKLINE_INVALID_OPTION",
        message: expect.stringContaining("NO_BACKSLASH_ESCAPES"),
      });
    } finally {
      await store.close();
    }
  });
});
