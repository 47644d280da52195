import { makeEvent } from "@hookline/core/testing";
import knexFactory, { type Knex } from "knex";
import { expect, it } from "vitest";
import { migrateTo, useMigrationEnv } from "../__fixtures__/migration-env.js";
import { knexStore } from "../knex-store.js";
import { tableNames } from "../schema/tables.js";
import { describeTargets, testTargets } from "../testing/databases.js";
import { ENDPOINT_CONTROL_COLUMNS, endpointControl } from "./0009-endpoint-control.js";
import { MIGRATIONS, migrationSource } from "./index.js";

const targets = await testTargets();

const present = async (db: Knex, table: string) => {
  const out: string[] = [];
  for (const c of ENDPOINT_CONTROL_COLUMNS) if (await db.schema.hasColumn(table, c)) out.push(c);
  return out;
};

describeTargets(targets, "migration 0009_endpoint_control", (target) => {
  const env = useMigrationEnv(target);
  const { config } = env;

  it("upgrades a log with switch rows (closed, no failures); down drops the columns and keeps the rows; up again", async () => {
    const prefix = env.prefix("m9");
    const t = tableNames(prefix);
    const ctx = env.ctx(prefix);
    const db = knexFactory(config());
    const store = knexStore({ knex: config(), tablePrefix: prefix });
    try {
      await migrateTo(db, ctx, "0008_subject_order");
      expect(await present(db, t.endpoints)).toEqual([]);
      await store.setEndpointDisabled("off", true, "by hand");

      await store.migrate();
      expect(await present(db, t.endpoints)).toEqual([...ENDPOINT_CONTROL_COLUMNS]);
      expect(await db.schema.hasTable(t.endpointSends)).toBe(true);
      expect(await store.getEndpointStates()).toMatchObject([
        { endpointId: "off", disabled: true, circuit: "closed", consecutiveFailures: 0, pausedUntil: null },
      ]);

      const source = { tableName: t.migrations, migrationSource: migrationSource(ctx) };
      await db.migrate.down(source);
      expect(await present(db, t.endpoints)).toEqual([]);
      expect(await db.schema.hasTable(t.endpointSends)).toBe(false);
      expect((await db(t.endpoints).select("endpoint_id")).map((r) => r.endpoint_id)).toEqual(["off"]);
      // A claimed insert on the older schema: nothing is held, nothing fails.
      const ev = makeEvent({ endpoints: ["ep-a"], claim: { leaseMs: 60_000 } });
      expect((await store.insertEvents([ev])).unclaimed).toBeUndefined();

      await db.migrate.latest(source);
      expect(await present(db, t.endpoints)).toEqual([...ENDPOINT_CONTROL_COLUMNS]);
      await store.insertEvents([makeEvent({ endpoints: ["ep-b"] }), makeEvent({ endpoints: ["ep-b"] })]);
      const claimed = await store.claimDue({
        limit: 5,
        leaseMs: 60_000,
        workerId: "w",
        endpointIds: ["ep-b"],
        controls: [{ endpointId: "ep-b", rateLimit: { perSecond: 1, burst: 1 } }],
      });
      expect(claimed).toHaveLength(1);
    } finally {
      await store.close();
      await db.destroy();
    }
  });

  it("finishes a step that died half-way: columns already there are kept, the missing ones added", async () => {
    const prefix = env.prefix("m9h");
    const t = tableNames(prefix);
    const ctx = env.ctx(prefix);
    const db = knexFactory(config());
    const store = knexStore({ knex: config(), tablePrefix: prefix });
    try {
      await migrateTo(db, ctx, "0008_subject_order");
      await db.schema.alterTable(t.endpoints, (tb) => {
        tb.double("tokens").nullable();
        tb.string("circuit", 9).notNullable().defaultTo("closed");
      });
      await store.migrate();
      expect(await present(db, t.endpoints)).toEqual([...ENDPOINT_CONTROL_COLUMNS]);
      expect((await db(t.migrations).select("name").orderBy("id")).map((r) => r.name)).toEqual(
        MIGRATIONS.map((m) => m.name),
      );
      await endpointControl.up(db, ctx);
      await db.schema.alterTable(t.endpoints, (tb) => {
        tb.dropColumns("probe_id", "probe_until");
      });
      await endpointControl.down(db, ctx);
      expect(await present(db, t.endpoints)).toEqual([]);
    } finally {
      await store.close();
      await db.destroy();
    }
  });
});

const mariadb = targets.find((t) => t.name === "mariadb")!;
describeTargets([mariadb], "migration 0009_endpoint_control, in place", (target) => {
  const env = useMigrationEnv(target);

  it("adds and drops the columns without copying the table (alter_algorithm = INSTANT); probe_id compares like delivery ids", async () => {
    const prefix = env.prefix("m9i");
    const ctx = env.ctx(prefix);
    const t = tableNames(prefix);
    const setup = knexFactory(env.config());
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
      await migrateTo(setup, ctx, "0008_subject_order");
      await setup(t.endpoints).insert(
        Array.from({ length: 20 }, (_, i) => ({ endpoint_id: `ep-${i}`, disabled: false, updated_at: i })),
      );
      await endpointControl.up(instant, ctx);
      expect(await present(setup, t.endpoints)).toEqual([...ENDPOINT_CONTROL_COLUMNS]);
      const [cols] = (await setup.raw(
        "SELECT column_name AS c, collation_name AS k FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name IN (?, ?) AND column_name IN ('probe_id', 'id')",
        [t.endpoints, t.deliveries],
      )) as [{ c: string; k: string }[]];
      expect(new Set(cols.map((r) => r.k)).size).toBe(1);
      expect(cols.map((r) => r.c).sort()).toEqual(["id", "probe_id"]);
      await endpointControl.down(instant, ctx);
      expect(await present(setup, t.endpoints)).toEqual([]);
      expect(Number((await setup(t.endpoints).count({ n: "*" }))[0]?.n)).toBe(20);
    } finally {
      await instant.destroy();
      await setup.destroy();
    }
  });
});
