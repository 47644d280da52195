import type { NewEvent } from "@hookline/core";
import { makeEvent } from "@hookline/core/testing";
import knexFactory, { type Knex } from "knex";
import { expect, it } from "vitest";
import { downThrough, migrateTo, useMigrationEnv } from "../__fixtures__/migration-env.js";
import { knexStore } from "../knex-store.js";
import { tableNames } from "../schema/tables.js";
import { describeTargets, testTargets } from "../testing/databases.js";
import { eventTraceContext } from "./0007-event-trace-context.js";
import { MIGRATIONS, migrationSource } from "./index.js";

const targets = await testTargets();

const PARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
const traced = (): NewEvent => ({ ...makeEvent(), traceContext: { traceparent: PARENT, tracestate: "k=v" } });

const traceColumns = async (db: Knex, table: string) => [
  await db.schema.hasColumn(table, "trace_parent"),
  await db.schema.hasColumn(table, "trace_state"),
];

describeTargets(targets, "migration 0007_event_trace_context", (target) => {
  const env = useMigrationEnv(target);
  const { config } = env;

  it("upgrades a populated log: older events claim with no trace context; down drops the columns and keeps the rows; up again", async () => {
    const prefix = env.prefix("m7");
    const t = tableNames(prefix);
    const ctx = env.ctx(prefix);
    const db = knexFactory(config());
    const store = knexStore({ knex: config(), tablePrefix: prefix });
    const claimAll = async () =>
      new Map(
        (await store.claimDue({ limit: 100, leaseMs: 60_000, workerId: "w", endpointIds: ["ep-a"] })).map(
          (c) => [c.eventId, c.traceContext],
        ),
      );
    try {
      await migrateTo(db, ctx, "0006_delivery_replays");
      expect(await traceColumns(db, t.events)).toEqual([false, false]);
      // Written as 0006's schema has it (later steps may add columns the store writes today).
      const old = { id: "evt_m7old" };
      const now = Date.now();
      await db(t.events).insert({ id: old.id, code: "add_credits", body: "{}", created_at: now });
      await db(t.deliveries).insert({
        id: "dlv_m7old",
        event_id: old.id,
        event_code: "add_credits",
        endpoint_id: "ep-a",
        status: "pending",
        attempts: 0,
        next_attempt_at: now - 1000,
        created_at: now,
        updated_at: now,
      });

      await store.migrate();
      expect(await traceColumns(db, t.events)).toEqual([true, true]);
      const fresh = traced();
      await store.insertEvents([fresh]);
      const claimed = await claimAll();
      expect(claimed.get(old.id)).toBeNull();
      expect(claimed.get(fresh.id)).toEqual({ traceparent: PARENT, tracestate: "k=v" });

      const source = { tableName: t.migrations, migrationSource: migrationSource(ctx) };
      await downThrough(db, source, "0007_event_trace_context");
      expect(await traceColumns(db, t.events)).toEqual([false, false]);
      expect(Number((await db(t.events).count({ n: "*" }))[0]?.n)).toBe(2);

      await db.migrate.latest(source);
      expect(await traceColumns(db, t.events)).toEqual([true, true]);
      expect((await store.getEvent(fresh.id))?.traceContext).toBeNull();
      const again = traced();
      await store.insertEvents([again]);
      expect((await store.getEvent(again.id))?.traceContext).toEqual({
        traceparent: PARENT,
        tracestate: "k=v",
      });
    } finally {
      await store.close();
      await db.destroy();
    }
  });

  it("finishes a step that died half-way: a column already there is kept, the missing one added", async () => {
    const prefix = env.prefix("m7h");
    const t = tableNames(prefix);
    const ctx = env.ctx(prefix);
    const db = knexFactory(config());
    const store = knexStore({ knex: config(), tablePrefix: prefix });
    try {
      await migrateTo(db, ctx, "0006_delivery_replays");
      await db.schema.alterTable(t.events, (tb) => {
        tb.string("trace_parent", 55).nullable();
      });
      await store.migrate();
      expect(await traceColumns(db, t.events)).toEqual([true, true]);
      expect((await db(t.migrations).select("name").orderBy("id")).map((r) => r.name)).toEqual(
        MIGRATIONS.map((m) => m.name),
      );
      // Both there already (the ALTER committed, the record did not): up is a no-op.
      await eventTraceContext.up(db, ctx);
      const ev = traced();
      await store.insertEvents([ev]);
      expect((await store.getEvent(ev.id))?.traceContext).toEqual({ traceparent: PARENT, tracestate: "k=v" });
      // Down after a half-done down: only the column left is dropped.
      await db.schema.alterTable(t.events, (tb) => {
        tb.dropColumn("trace_state");
      });
      await eventTraceContext.down(db, ctx);
      expect(await traceColumns(db, t.events)).toEqual([false, false]);
    } finally {
      await store.close();
      await db.destroy();
    }
  });
});

const mariadb = targets.find((t) => t.name === "mariadb")!;
describeTargets([mariadb], "migration 0007_event_trace_context, in place", (target) => {
  const env = useMigrationEnv(target);

  it("adds and drops the columns without copying the table (runs under alter_algorithm = INSTANT)", async () => {
    const prefix = env.prefix("m7i");
    const ctx = env.ctx(prefix);
    const t = tableNames(prefix);
    const setup = knexFactory(env.config());
    // Every ALTER on this pool fails with ER_ALTER_OPERATION_NOT_SUPPORTED_REASON if it needs a copy.
    const instant = knexFactory({
      ...env.config(),
      pool: {
        min: 0,
        max: 1,
        afterCreate: (
          conn: { query: (sql: string, cb: (e: unknown) => void) => void },
          done: (e: unknown, c: unknown) => void,
        ) => conn.query("SET SESSION alter_algorithm = 'INSTANT'", (e) => done(e, conn)),
      },
    });
    try {
      await migrateTo(setup, ctx, "0006_delivery_replays");
      await setup(t.events).insert(
        Array.from({ length: 50 }, (_, i) => ({ id: `evt_${i}`, code: "c", body: "{}", created_at: i })),
      );
      // The guard itself: an ALTER that copies the table is refused on this pool.
      await expect(
        instant.schema.alterTable(t.events, (tb) => {
          tb.text("body", "mediumtext").notNullable().alter();
        }),
      ).rejects.toMatchObject({ errno: 1846 });
      await eventTraceContext.up(instant, ctx);
      expect(await traceColumns(setup, t.events)).toEqual([true, true]);
      await eventTraceContext.down(instant, ctx);
      expect(await traceColumns(setup, t.events)).toEqual([false, false]);
      expect(Number((await setup(t.events).count({ n: "*" }))[0]?.n)).toBe(50);
    } finally {
      await instant.destroy();
      await setup.destroy();
    }
  });
});
