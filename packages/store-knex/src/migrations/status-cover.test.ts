import type { AttemptResult } from "@hookline/core";
import knexFactory from "knex";
import { expect, it } from "vitest";
import { downThrough, useMigrationEnv } from "../__fixtures__/migration-env.js";
import { knexStore } from "../knex-store.js";
import { tableNames } from "../schema/tables.js";
import { describeTargets, testTargets } from "../testing/databases.js";
import { migrationSource } from "./index.js";
import { hasIndex, indexColumns } from "./index-steps.js";

const targets = await testTargets();
const OLD = ["dlv_status_idx", "dlv_created_idx"];
const NEW = ["dlv_status_cover_idx", "dlv_time_idx"];

describeTargets(targets, "migration 0003_status_covers_stats", (target) => {
  const env = useMigrationEnv(target);
  const { config } = env;

  it("swaps the indexes both ways with their columns, finishes a half-done step, and stats, timeline and lists read the same rows after it", async () => {
    const prefix = env.prefix("m3");
    const t = tableNames(prefix);
    const ctx = env.ctx(prefix);
    const db = knexFactory(config());
    const store = knexStore({ knex: config(), tablePrefix: prefix });
    const present = async (names: string[]) =>
      Promise.all(names.map((n) => hasIndex(db, ctx, t.deliveries, `${prefix}${n}`)));
    try {
      await store.migrate();
      const columns = async () => ({
        statusCover: await indexColumns(db, ctx, t.deliveries, `${prefix}dlv_status_cover_idx`),
        time: await indexColumns(db, ctx, t.deliveries, `${prefix}dlv_time_idx`),
      });
      const covering = {
        statusCover: ["status", "created_at", "id", "event_code", "endpoint_id"],
        time: ["created_at", "id"],
      };
      expect(await columns()).toEqual(covering);
      expect(await present(OLD)).toEqual([false, false]);

      const source = { tableName: t.migrations, migrationSource: migrationSource(ctx) };
      // Back past every later step first, then 0003 itself.
      await downThrough(db, source, "0003_status_covers_stats");
      expect(await indexColumns(db, ctx, t.deliveries, `${prefix}dlv_status_idx`)).toEqual([
        "status",
        "created_at",
        "id",
      ]);
      expect(await indexColumns(db, ctx, t.deliveries, `${prefix}dlv_created_idx`)).toEqual([
        "created_at",
        "id",
        "event_code",
        "endpoint_id",
        "status",
      ]);
      expect(await present(NEW)).toEqual([false, false]);

      // Rows written under 0002's indexes, then a step that died after adding one index.
      const now = Date.now();
      await store.insertEvents(
        ["a", "b", "c"].map((s, i) => ({
          id: `evt_m3${i}`,
          code: "add_credits",
          subject: s,
          body: "{}",
          idempotencyKey: null,
          createdAt: new Date(now - i * 1000),
          deliveries: [
            {
              id: `dlv_m3${i}`,
              endpointId: "ep",
              claim: { token: `clm_m3${i}`, leaseMs: 60_000, workerId: "w" },
            },
          ],
        })),
      );
      await db.schema.alterTable(t.deliveries, (tb) => {
        tb.index(["created_at", "id"], `${prefix}dlv_time_idx`);
      });
      await db.migrate.latest(source);
      expect(await columns()).toEqual(covering);
      expect(await present(OLD)).toEqual([false, false]);

      const done: AttemptResult = {
        deliveryId: "dlv_m30",
        endpointId: "ep",
        eventCode: "add_credits",
        claimToken: "clm_m30",
        attemptId: "att_m30",
        attempt: 1,
        startedAt: new Date(now),
        request: { url: "http://127.0.0.1:1/", headers: {} },
        outcome: { kind: "success", status: 200, durationMs: 12 },
        next: { status: "succeeded" },
      };
      await store.complete([done]);
      const [row] = await store.stats({ since: new Date(now - 60_000), until: new Date(now + 60_000) });
      expect(row).toMatchObject({
        eventCode: "add_credits",
        endpointId: "ep",
        total: 3,
        counts: { succeeded: 1, sending: 2, pending: 0, failed: 0, cancelled: 0 },
        p50Ms: 12,
      });
      const [bucket] = await store.timeline(
        { since: new Date(now - 60_000), until: new Date(now + 60_000) },
        120_000,
      );
      expect(bucket?.counts).toEqual({ succeeded: 1, sending: 2, pending: 0, failed: 0, cancelled: 0 });
      const sending = await store.listDeliveries({ status: ["sending"] }, { limit: 10 });
      expect(sending.items.map((d) => d.id)).toEqual(["dlv_m31", "dlv_m32"]);
      const all = await store.listDeliveries({}, { limit: 10 });
      expect(all.items.map((d) => d.id)).toEqual(["dlv_m30", "dlv_m31", "dlv_m32"]);
    } finally {
      await store.close();
      await db.destroy();
    }
  });
});
