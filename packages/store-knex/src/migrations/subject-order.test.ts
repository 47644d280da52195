import { makeEvent } from "@hookline/core/testing";
import knexFactory, { type Knex } from "knex";
import { expect, it } from "vitest";
import { downThrough, migrateTo, useMigrationEnv } from "../__fixtures__/migration-env.js";
import { dialectOf } from "../dialect.js";
import { knexStore } from "../knex-store.js";
import { tableNames } from "../schema/tables.js";
import { describeTargets, testTargets } from "../testing/databases.js";
import { bool } from "../util/convert.js";
import { rawRows } from "../util/sql.js";
import { subjectOrder } from "./0008-subject-order.js";
import { MIGRATIONS, migrationSource } from "./index.js";
import { indexColumns } from "./index-steps.js";
import type { MigrationContext } from "./migration.js";

const targets = await testTargets();

const COLUMNS = ["endpoint_id", "subject", "status", "created_at", "id"];

/** Whether the deliveries table has the column, and the index's columns (empty when absent). */
async function schemaOf(db: Knex, ctx: MigrationContext) {
  const t = tableNames(ctx.prefix);
  return {
    column: await db.schema.hasColumn(t.deliveries, "ordered"),
    index: await indexColumns(db, ctx, t.deliveries, `${ctx.prefix}dlv_subject_order_idx`),
  };
}

/** The index's definition as the database keeps it (PostgreSQL and SQLite; MySQL has none). */
async function indexDefinition(db: Knex, ctx: MigrationContext): Promise<string> {
  const name = `${ctx.prefix}dlv_subject_order_idx`;
  const sql =
    ctx.dialect === "postgres"
      ? "SELECT indexdef AS d FROM pg_indexes WHERE indexname = ? AND schemaname = current_schema()"
      : "SELECT sql AS d FROM sqlite_master WHERE type = 'index' AND name = ?";
  const rows = rawRows<{ d: string }>(dialectOf(db)!, await db.raw(sql, [name]));
  return String(rows[0]?.d);
}

describeTargets(targets, "migration 0008_subject_order", (target) => {
  const env = useMigrationEnv(target);
  const { config } = env;

  it("upgrades a populated log: older rows unordered and claimable, the index (partial on PostgreSQL and SQLite); down drops both and keeps the rows; up again", async () => {
    const prefix = env.prefix("m8");
    const t = tableNames(prefix);
    const ctx = env.ctx(prefix);
    const db = knexFactory(config());
    const store = knexStore({ knex: config(), tablePrefix: prefix });
    try {
      await migrateTo(db, ctx, "0007_event_trace_context");
      expect(await schemaOf(db, ctx)).toEqual({ column: false, index: [] });
      const old = [makeEvent({ subject: "s" }), makeEvent({ subject: "s" })];
      await store.insertEvents(old);

      await store.migrate();
      expect(await schemaOf(db, ctx)).toEqual({ column: true, index: COLUMNS });
      if (ctx.dialect !== "mysql")
        expect(await indexDefinition(db, ctx)).toMatch(/WHERE.*status.*'pending'.*'sending'/i);
      const rows = await db(t.deliveries).select("ordered");
      expect(rows.map((r) => bool(r.ordered))).toEqual([false, false]);
      // Unordered: both of the subject go in one claim.
      const claimed = await store.claimDue({
        limit: 10,
        leaseMs: 60_000,
        workerId: "w",
        endpointIds: ["ep-a"],
      });
      expect(claimed).toHaveLength(2);

      const source = { tableName: t.migrations, migrationSource: migrationSource(ctx) };
      await downThrough(db, source, "0008_subject_order");
      expect(await schemaOf(db, ctx)).toEqual({ column: false, index: [] });
      expect(Number((await db(t.deliveries).count({ n: "*" }))[0]?.n)).toBe(2);

      await db.migrate.latest(source);
      expect(await schemaOf(db, ctx)).toEqual({ column: true, index: COLUMNS });
    } finally {
      await store.close();
      await db.destroy();
    }
  });

  it("finishes a step that died half-way: the column already there is kept, the index added; down after a half-done down", async () => {
    const prefix = env.prefix("m8h");
    const t = tableNames(prefix);
    const ctx = env.ctx(prefix);
    const db = knexFactory(config());
    const store = knexStore({ knex: config(), tablePrefix: prefix });
    try {
      await migrateTo(db, ctx, "0007_event_trace_context");
      await db.schema.alterTable(t.deliveries, (tb) => {
        tb.boolean("ordered").notNullable().defaultTo(false);
      });
      await store.migrate();
      expect(await schemaOf(db, ctx)).toEqual({ column: true, index: COLUMNS });
      expect((await db(t.migrations).select("name").orderBy("id")).map((r) => r.name)).toEqual(
        MIGRATIONS.map((m) => m.name),
      );
      // Both there already (the DDL committed, the record did not): up is a no-op.
      await subjectOrder.up(db, ctx);
      expect(await schemaOf(db, ctx)).toEqual({ column: true, index: COLUMNS });
      // Down after a down that dropped the index only.
      await db.schema.alterTable(t.deliveries, (tb) => {
        tb.dropIndex([], `${prefix}dlv_subject_order_idx`);
      });
      await subjectOrder.down(db, ctx);
      expect(await schemaOf(db, ctx)).toEqual({ column: false, index: [] });
    } finally {
      await store.close();
      await db.destroy();
    }
  });
});

const mariadb = targets.find((t) => t.name === "mariadb")!;
describeTargets([mariadb], "migration 0008_subject_order, in place", (target) => {
  const env = useMigrationEnv(target);

  /** A one-connection pool whose ALTERs run under `alter_algorithm = algorithm`. */
  const poolUnder = (algorithm: "INSTANT" | "NOCOPY") =>
    knexFactory({
      ...env.config(),
      pool: {
        min: 0,
        max: 1,
        afterCreate: (
          conn: { query: (sql: string, cb: (e: unknown) => void) => void },
          done: (e: unknown, c: unknown) => void,
        ) => conn.query(`SET SESSION alter_algorithm = '${algorithm}'`, (e) => done(e, conn)),
      },
    });

  it("never copies the table: the whole step runs under NOCOPY, the column alone under INSTANT", async () => {
    const prefix = env.prefix("m8i");
    const ctx = env.ctx(prefix);
    const t = tableNames(prefix);
    const setup = knexFactory(env.config());
    const nocopy = poolUnder("NOCOPY");
    const instant = poolUnder("INSTANT");
    try {
      await migrateTo(setup, ctx, "0007_event_trace_context");
      await setup(t.deliveries).insert(
        Array.from({ length: 50 }, (_, i) => ({
          id: `dlv_${i}`,
          event_id: `evt_${i}`,
          event_code: "c",
          endpoint_id: "ep",
          subject: `s${i % 5}`,
          status: "pending",
          created_at: i,
          updated_at: i,
        })),
      );
      // The guards themselves: a table copy is refused on both pools, an index build on INSTANT.
      const copy = (db: Knex) =>
        db.schema.alterTable(t.deliveries, (tb) => {
          tb.bigInteger("attempts").notNullable().defaultTo(0).alter();
        });
      await expect(copy(nocopy)).rejects.toMatchObject({ errno: 1846 });
      await expect(copy(instant)).rejects.toMatchObject({ errno: 1846 });

      await subjectOrder.up(nocopy, ctx);
      expect(await schemaOf(setup, ctx)).toEqual({ column: true, index: COLUMNS });
      await subjectOrder.down(nocopy, ctx);
      expect(await schemaOf(setup, ctx)).toEqual({ column: false, index: [] });

      await setup.schema.alterTable(t.deliveries, (tb) => {
        tb.index(COLUMNS, `${prefix}dlv_subject_order_idx`);
      });
      await subjectOrder.up(instant, ctx);
      expect(await schemaOf(setup, ctx)).toEqual({ column: true, index: COLUMNS });
      expect(Number((await setup(t.deliveries).count({ n: "*" }))[0]?.n)).toBe(50);
    } finally {
      await instant.destroy();
      await nocopy.destroy();
      await setup.destroy();
    }
  });
});
