import { makeEvent } from "@hookline/core/testing";
import knexFactory, { type Knex } from "knex";
import { expect, it } from "vitest";
import { downThrough, migrateTo, useMigrationEnv } from "../__fixtures__/migration-env.js";
import { knexStore } from "../knex-store.js";
import { tableNames } from "../schema/tables.js";
import { describeTargets, testTargets } from "../testing/databases.js";
import { convertIdentifierColumns, NOPAD_COLLATION } from "./identifier-collation.js";
import { MIGRATIONS, migrationSource } from "./index.js";

const targets = await testTargets();

/** Every column that holds an identifier, per table (without the prefix). */
const IDENTIFIERS: Record<string, string[]> = {
  events: ["id", "code", "subject", "idempotency_key"],
  deliveries: [
    "id",
    "event_id",
    "event_code",
    "endpoint_id",
    "subject",
    "status",
    "claim_token",
    "worker_id",
    "last_error_code",
  ],
  attempts: ["id", "delivery_id", "endpoint_id", "event_code", "outcome", "error_code"],
  endpoint_states: ["endpoint_id"],
  stats_hourly: ["event_code", "endpoint_id", "cell"],
};
const TEXT_COLUMNS: Record<string, string[]> = {
  events: ["body"],
  attempts: ["url", "request_headers", "response_headers", "response_body", "error_message"],
  endpoint_states: ["disabled_reason"],
};

interface ColumnInfo {
  t: string;
  c: string;
  ty: string;
  nul: string;
  col: string | null;
}

async function columns(db: Knex, prefix: string): Promise<ColumnInfo[]> {
  const [rows] = (await db.raw(
    `SELECT table_name AS t, column_name AS c, column_type AS ty, is_nullable AS nul, collation_name AS col
       FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name LIKE ?
      ORDER BY table_name, ordinal_position`,
    [`${prefix.replaceAll("_", "\\_")}%`],
  )) as [ColumnInfo[]];
  return rows
    .map((r) => ({ ...r, t: r.t.slice(prefix.length) }))
    .filter((r) => !r.t.startsWith("migrations"));
}

async function indexes(db: Knex, prefix: string): Promise<string[]> {
  const [rows] = (await db.raw(
    `SELECT table_name AS t, index_name AS i, non_unique AS u, GROUP_CONCAT(column_name ORDER BY seq_in_index) AS c
       FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name LIKE ?
      GROUP BY table_name, index_name, non_unique ORDER BY table_name, index_name`,
    [`${prefix.replaceAll("_", "\\_")}%`],
  )) as [{ t: string; i: string; u: number; c: string }[]];
  return rows.map((r) => `${r.t}.${r.i}(${r.c}) unique=${Number(r.u) === 0}`);
}

describeTargets(targets, "migration 0005_exact_identifiers", (target) => {
  const env = useMigrationEnv(target);
  const { config } = env;

  it("upgrades a populated log: rows and indexes kept, then `k ` is a new idempotency key and `0000 ` a subject of its own", async () => {
    const prefix = env.prefix("m5");
    const t = tableNames(prefix);
    const ctx = env.ctx(prefix);
    const db = knexFactory(config());
    const store = knexStore({ knex: config(), tablePrefix: prefix });
    try {
      await migrateTo(db, ctx, "0004_stats_rollup");
      const keyed = makeEvent({ idempotencyKey: "k", subject: "0000" });
      const rest = Array.from({ length: 2_000 }, (_, i) =>
        makeEvent({ subject: `buyer-${i % 50}`, endpoints: ["ep-a", "ep-b"] }),
      );
      await store.insertEvents([keyed, ...rest]);
      const before = target.name === "mariadb" ? await indexes(db, prefix) : [];
      // A run killed after its first table: that table is done, the rest is not.
      if (target.name === "mariadb")
        await convertIdentifierColumns(db, ctx, t.endpoints, NOPAD_COLLATION.mariadb);

      await store.migrate();
      expect((await db(t.migrations).select("name").orderBy("id")).map((r) => r.name)).toEqual(
        MIGRATIONS.map((m) => m.name),
      );
      // 0005 keeps every index as it was; later steps only add theirs.
      if (target.name === "mariadb") {
        const after = await indexes(db, prefix);
        expect(after).toEqual(expect.arrayContaining(before));
        expect(after.filter((i) => !before.includes(i))).toEqual([
          `${t.deliveries}.${prefix}dlv_subject_order_idx(endpoint_id,subject,status,created_at,id) unique=false`,
          `${t.endpointSends}.${prefix}sends_endpoint_idx(endpoint_id,sent_at) unique=false`,
        ]);
      }
      expect(Number((await db(t.events).count({ n: "*" }))[0]?.n)).toBe(2_001);
      expect(Number((await db(t.deliveries).count({ n: "*" }))[0]?.n)).toBe(4_001);
      expect((await store.getEvent(keyed.id))?.subject).toBe("0000");
      expect((await store.listEvents({ subject: "0000 " }, { limit: 10 })).items).toEqual([]);

      const spaced = makeEvent({ idempotencyKey: "k ", subject: "0000 " });
      const again = makeEvent({ idempotencyKey: "k" });
      const report = await store.insertEvents([spaced, again]);
      expect([...report.duplicates.keys()]).toEqual([again.id]);
      expect(report.duplicates.get(again.id)?.eventId).toBe(keyed.id);
      expect((await store.listEvents({ subject: "0000 " }, { limit: 10 })).items.map((e) => e.id)).toEqual([
        spaced.id,
      ]);

      // Down restores 0004's collation, which cannot hold `k` and `k ` side by side.
      const source = { tableName: t.migrations, migrationSource: migrationSource(ctx) };
      await downThrough(db, source, "0006_delivery_replays"); // every later step first
      if (target.name === "mariadb") {
        await expect(db.migrate.down(source)).rejects.toMatchObject({ errno: 1062 });
        await db(t.deliveries).where("event_id", spaced.id).delete();
        await db(t.events).where("id", spaced.id).delete();
      }
      await db.migrate.down(source);
      if (target.name === "mariadb")
        for (const c of await columns(db, prefix)) if (c.col) expect(c.col).toBe("utf8mb4_bin");
      await db.migrate.latest(source);
      expect((await store.insertEvents([makeEvent({ idempotencyKey: "K" })])).duplicates.size).toBe(0);
    } finally {
      await store.close();
      await db.destroy();
    }
  });
});

const mariadb = targets.find((t) => t.name === "mariadb")!;
describeTargets([mariadb], "identifier collations after migrate()", (target) => {
  const env = useMigrationEnv(target);

  it("gives every identifier column the binary NO PAD collation, keeping type, length and nullability; text columns keep utf8mb4_bin", async () => {
    const prefix = env.prefix("m5c");
    const db = knexFactory(env.config());
    const store = knexStore({ knex: env.config(), tablePrefix: prefix });
    try {
      await migrateTo(db, env.ctx(prefix), "0004_stats_rollup");
      const shapeOf = (cols: ColumnInfo[]) => cols.map((c) => `${c.t}.${c.c} ${c.ty} ${c.nul}`);
      const before = await columns(db, prefix);
      await migrateTo(db, env.ctx(prefix), "0005_exact_identifiers");
      expect(shapeOf(await columns(db, prefix))).toEqual(shapeOf(before));
      await store.migrate();
      const after = await columns(db, prefix);
      const collationOf = (table: string, column: string) =>
        after.find((c) => c.t === table && c.c === column)?.col;
      for (const [table, cols] of Object.entries(IDENTIFIERS))
        for (const column of cols)
          expect(`${table}.${column} ${collationOf(table, column)}`).toBe(
            `${table}.${column} ${NOPAD_COLLATION.mariadb}`,
          );
      for (const [table, cols] of Object.entries(TEXT_COLUMNS))
        for (const column of cols)
          expect(`${table}.${column} ${collationOf(table, column)}`).toBe(`${table}.${column} utf8mb4_bin`);
      // A string column added later without the collation would compare with PAD SPACE again.
      for (const c of after.filter((x) => /char/.test(x.ty)))
        expect(`${c.t}.${c.c} ${c.col}`).toBe(`${c.t}.${c.c} ${NOPAD_COLLATION.mariadb}`);
    } finally {
      await store.close();
      await db.destroy();
    }
  });
});
