import { latencyBucket, memoryStore } from "@hookline/core";
import { makeEvent } from "@hookline/core/testing";
import type { Knex } from "knex";
import { expect, it } from "vitest";
import { scenario } from "../__fixtures__/stats-scenario.js";
import { useTestEnv } from "../__fixtures__/test-env.js";
import type { StoreContext } from "../context.js";
import { dialectOf } from "../dialect.js";
import { rebuildStatsRollup } from "../maintenance/rebuild-rollup.js";
import { migrationSource } from "../migrations/index.js";
import type { ResolvedOptions } from "../options.js";
import type { TableNames } from "../schema/tables.js";
import { describeTargets, testTargets } from "../testing/databases.js";
import { num } from "../util/convert.js";
import { latencyBucketSql } from "./percentiles.js";
import { splitRange, stats } from "./stats.js";

const targets = await testTargets();
const HOUR = 3_600_000;

/** The roll-up's non-zero cells in key order, to compare a table with a rebuild of it. */
const nonZeroCells = (db: Knex, t: TableNames) =>
  db(t.statsHourly)
    .where("n", "<>", 0)
    .orderBy(["hour_start", "event_code", "endpoint_id", "cell", "v"])
    .select("*");

it("splits a range into whole hours and the part-hours at its edges", () => {
  expect(splitRange(30 * 60_000, 3 * HOUR + 5)).toEqual({
    whole: [HOUR, 3 * HOUR],
    edges: [
      [30 * 60_000, HOUR],
      [3 * HOUR, 3 * HOUR + 5],
    ],
  });
  expect(splitRange(HOUR, 2 * HOUR)).toEqual({ whole: [HOUR, 2 * HOUR], edges: [] });
  expect(splitRange(HOUR + 1, 2 * HOUR + 1)).toEqual({ whole: null, edges: [[HOUR + 1, 2 * HOUR + 1]] });
  expect(splitRange(5, 5)).toEqual({ whole: null, edges: [] });
});

describeTargets(targets, "the hourly stats roll-up", (target) => {
  const env = useTestEnv(target, "ru");

  it("buckets durations in the database exactly as core's latencyBucket does", async () => {
    const { db } = env();
    const values = [0, 1, 99, 100, 101, 999, 1000, 1099, 9999, 10_000, 12_345, 99_999, 123_456, 999_999];
    values.push(1_000_000, 1_234_567, 9_999_999, 10_000_000, 10_999_999, 12_345_678, 99_999_999);
    // Past ten million ms each power of ten rounds by its own step (core's rule everywhere).
    values.push(100_000_000, 123_456_789, 999_999_999, 1_000_000_000, 2_000_000_000, 2_147_483_647);
    for (const v of values) {
      const rows = await db.raw(`SELECT ${latencyBucketSql(String(v))} AS b`);
      const row = (Array.isArray(rows) ? (Array.isArray(rows[0]) ? rows[0][0] : rows[0]) : rows.rows[0]) as {
        b: unknown;
      };
      expect([v, latencyBucket(v)]).toEqual([v, num(row.b)]);
    }
  });

  it("counts a cancellation of more pending deliveries than one batch", async () => {
    const { store, db, t } = env();
    const ctx: StoreContext = { db, dialect: dialectOf(db)!, t, options: {} as ResolvedOptions };
    const events = Array.from({ length: 1203 }, () => makeEvent({ endpoints: ["ep-big", "ep-other"] }));
    await store.insertEvents(events);
    expect(await store.setEndpointDisabled("ep-big", true, "test")).toEqual({ cancelled: 1203 });
    const range = { since: new Date(Date.now() - 2 * HOUR), until: new Date(Date.now() + 2 * HOUR) };
    const rolled = await stats(ctx, range);
    expect(rolled.find((r) => r.endpointId === "ep-big")?.counts).toMatchObject({
      cancelled: 1203,
      pending: 0,
    });
    expect(rolled.find((r) => r.endpointId === "ep-other")?.counts).toMatchObject({
      cancelled: 0,
      pending: 1203,
    });
    expect(rolled).toEqual(await stats(ctx, range, { rollup: false }));
  });

  it("counts completions from the creation time the pipeline passes, without reading rows back", async () => {
    const { store, db, t } = env();
    const ctx: StoreContext = { db, dialect: dialectOf(db)!, t, options: {} as ResolvedOptions };
    const reference = memoryStore();
    const base = Date.now() - 5 * HOUR;
    await scenario([store, reference], base, { passCreation: true });
    const range = { since: new Date(base - 20 * 60_000), until: new Date(Date.now() + 7 * 60_000) };
    const rolled = await stats(ctx, range);
    expect(rolled.length).toBeGreaterThan(3);
    expect(rolled).toEqual(await stats(ctx, range, { rollup: false }));
    expect(rolled).toEqual(await reference.stats(range));
    // Cell for cell what a rebuild from the log gives: a stats range would not notice a cell
    // filed under the wrong key within one hour.
    const cells = () => nonZeroCells(db, t);
    const kept = await cells();
    await rebuildStatsRollup(db, { tablePrefix: env().prefix });
    expect(await cells()).toEqual(kept);
  });

  it("stays exact through completions, requeue, cancellation, purge and a rebuild", async () => {
    const { store, db, t, prefix } = env();
    const ctx: StoreContext = { db, dialect: dialectOf(db)!, t, options: {} as ResolvedOptions };
    const reference = memoryStore();
    const base = Date.now() - 5 * HOUR;
    await scenario([store, reference], base);
    // Deliveries to a disabled endpoint are inserted cancelled: terminal from the start.
    const off = Array.from({ length: 6 }, (_, i) => {
      const ev = makeEvent({ endpoints: ["ep-off"], createdAt: new Date(base + i * 40 * 60_000) });
      return { ...ev, deliveries: ev.deliveries.map((d) => ({ ...d, cancelled: true })) };
    });
    for (const s of [store, reference]) await s.insertEvents(off);
    // Whole hours in the middle, part-hours at both ends.
    const range = { since: new Date(base - 20 * 60_000), until: new Date(Date.now() + 7 * 60_000) };
    const agree = async (withReference: boolean) => {
      const rolled = await stats(ctx, range);
      expect(rolled.length).toBeGreaterThan(3);
      expect(rolled).toEqual(await stats(ctx, range, { rollup: false }));
      if (withReference) expect(rolled).toEqual(await reference.stats(range));
      return rolled;
    };
    expect(num((await db(t.statsHourly).count({ n: "*" }))[0]!.n)).toBeGreaterThan(100);
    await agree(true);

    const [failed, succeeded] = await Promise.all(
      (["failed", "succeeded"] as const).map((s) =>
        db(t.deliveries).where("status", s).orderBy("id").limit(7).pluck("id"),
      ),
    );
    for (const s of [store, reference]) {
      expect(await s.requeue({ ids: [...failed!, ...succeeded!] })).toBe(14);
      await s.requeue({ filter: { status: ["cancelled"], endpointId: ["ep-b"] } });
      expect((await s.setEndpointDisabled("ep-a", true, "test")).cancelled).toBeGreaterThan(0);
    }
    await agree(true);

    // Purge the terminal deliveries created in the first two hours: give them matching updated_at.
    await db(t.deliveries).update({ updated_at: db.ref("created_at") });
    expect(await store.purge(new Date(base + 2 * HOUR), { batchSize: 50 })).toBeGreaterThan(20);
    await agree(false);
    expect(num((await db(t.statsHourly).where("n", "<", 0).count({ n: "*" }))[0]!.n)).toBe(0);

    // The migration's rebuild from the log gives the same cells as the writes kept.
    const cells = () => nonZeroCells(db, t);
    const kept = await cells();
    const source = {
      tableName: t.migrations,
      migrationSource: migrationSource({ prefix, dialect: ctx.dialect.name }),
    };
    await db.migrate.down(source);
    await db.migrate.latest(source);
    expect(await cells()).toEqual(kept);
    await db(t.statsHourly).del();
    await rebuildStatsRollup(db, { tablePrefix: prefix });
    expect(await cells()).toEqual(kept);

    // And the comparison can fail: a status changed behind the roll-up's back shows.
    await db(t.deliveries).where("status", "succeeded").limit(1).update({ status: "failed" });
    expect(await stats(ctx, range)).not.toEqual(await stats(ctx, range, { rollup: false }));
  });
});
