import knexFactory, { type Knex } from "knex";
import { expect, it } from "vitest";
import { downThrough, useMigrationEnv } from "../__fixtures__/migration-env.js";
import { knexStore } from "../knex-store.js";
import { tableNames } from "../schema/tables.js";
import { describeTargets, testTargets } from "../testing/databases.js";
import { num } from "../util/convert.js";
import { initialSchema } from "./0001-initial.js";
import { migrationSource } from "./index.js";
import { hasIndex } from "./index-steps.js";
import type { HooklineMigration } from "./migration.js";

const targets = await testTargets();
const HOUR = 3_600_000;

describeTargets(targets, "migration 0002_lean_delivery_indexes", (target) => {
  const env = useMigrationEnv(target);
  const { config } = env;

  /** Rows as 0001's code wrote them: a sending row's next_attempt_at is NULL or its old due time. */
  async function insertOld(
    db: Knex,
    p: string,
    rows: { id: string; status: string; next: number | null; lease: number | null }[],
  ) {
    const t = tableNames(p);
    const now = Date.now();
    await db(t.events).insert({
      id: `evt-${rows[0]!.id}`,
      code: "add_credits",
      subject: null,
      body: "{}",
      created_at: now,
    });
    await db(t.deliveries).insert(
      rows.map((r) => ({
        id: r.id,
        event_id: `evt-${rows[0]!.id}`,
        event_code: "add_credits",
        endpoint_id: "ep",
        status: r.status,
        attempts: r.status === "sending" ? 1 : 0,
        next_attempt_at: r.next,
        lease_until: r.lease,
        claim_token: r.status === "sending" ? `clm-${r.id}` : null,
        worker_id: r.status === "sending" ? "old" : null,
        created_at: now,
        updated_at: now,
      })),
    );
  }

  it("moves sending rows' re-claim time into next_attempt_at, drops the lease and purge indexes, and rolls back", async () => {
    const prefix = env.prefix("m2");
    const t = tableNames(prefix);
    const ctx = env.ctx(prefix);
    const db = knexFactory(config());
    const store = knexStore({ knex: config(), tablePrefix: prefix });
    try {
      // A deployment that ran 0001 only, with work in every state.
      await db.migrate.latest({
        tableName: t.migrations,
        migrationSource: {
          getMigrations: async () => [initialSchema],
          getMigrationName: (m) => m.name,
          getMigration: async (m) => ({ up: (k: Knex) => m.up(k, ctx), down: (k: Knex) => m.down(k, ctx) }),
        } satisfies Knex.MigrationSource<HooklineMigration>,
      });
      expect(await hasIndex(db, ctx, t.deliveries, `${prefix}dlv_lease_idx`)).toBe(true);
      const now = Date.now();
      await insertOld(db, prefix, [
        { id: "a-crashed", status: "sending", next: null, lease: now - 1000 },
        { id: "b-inflight", status: "sending", next: now - 5000, lease: now + HOUR },
        { id: "c-later", status: "pending", next: now + HOUR, lease: null },
        { id: "d-done", status: "succeeded", next: null, lease: null },
      ]);
      await store.migrate();
      const rows = await db(t.deliveries).select("id", "next_attempt_at", "lease_until").orderBy("id");
      const next = Object.fromEntries(
        rows.map((r) => [r.id, r.next_attempt_at == null ? null : num(r.next_attempt_at)]),
      );
      expect(next).toEqual({
        "a-crashed": now - 1000,
        "b-inflight": now + HOUR,
        "c-later": now + HOUR,
        "d-done": null,
      });
      for (const name of ["dlv_lease_idx", "dlv_purge_idx"])
        expect(await hasIndex(db, ctx, t.deliveries, `${prefix}${name}`)).toBe(false);
      for (const name of ["dlv_due_idx", "dlv_status_cover_idx"])
        expect(await hasIndex(db, ctx, t.deliveries, `${prefix}${name}`)).toBe(true);
      // Only the expired lease is claimable.
      const claimed = await store.claimDue({
        limit: 10,
        leaseMs: 60_000,
        workerId: "new",
        endpointIds: ["ep"],
      });
      expect(claimed.map((c) => c.id)).toEqual(["a-crashed"]);
      expect(claimed[0]!.attempts).toBe(2);

      const source = { tableName: t.migrations, migrationSource: migrationSource(ctx) };
      // Back past every later step first, then 0002 itself.
      await downThrough(db, source, "0002_lean_delivery_indexes");
      for (const name of ["dlv_lease_idx", "dlv_purge_idx"])
        expect(await hasIndex(db, ctx, t.deliveries, `${prefix}${name}`)).toBe(true);
      await db.migrate.latest(source);
      expect(await hasIndex(db, ctx, t.deliveries, `${prefix}dlv_lease_idx`)).toBe(false);
    } finally {
      await store.close();
      await db.destroy();
    }
  });

  it("during a rolling upgrade, rows leased by processes still on 0001's code are re-claimed when (and only when) their lease expires", async () => {
    const prefix = env.prefix("m2");
    const t = tableNames(prefix);
    const db = knexFactory(config());
    const store = knexStore({ knex: config(), tablePrefix: prefix });
    try {
      await store.migrate();
      const now = Date.now();
      // Written after the migration by an old process: next_attempt_at NULL (inserted claimed)
      // or the due time it was claimed at, with lease_until the only true lease end.
      await insertOld(db, prefix, [
        { id: "a-inserted-expired", status: "sending", next: null, lease: now - 1000 },
        { id: "b-inserted-live", status: "sending", next: null, lease: now + HOUR },
        { id: "c-claimed-expired", status: "sending", next: now - 9000, lease: now - 2000 },
        { id: "d-claimed-live", status: "sending", next: now - 9000, lease: now + HOUR },
      ]);
      const claimed = await store.claimDue({
        limit: 10,
        leaseMs: 60_000,
        workerId: "new",
        endpointIds: ["ep"],
      });
      expect(claimed.map((c) => c.id).sort()).toEqual(["a-inserted-expired", "c-claimed-expired"]);
      const after = await db(t.deliveries)
        .select("id", "next_attempt_at", "lease_until")
        .whereIn("id", ["a-inserted-expired", "c-claimed-expired"]);
      for (const r of after) {
        expect(num(r.next_attempt_at)).toBe(num(r.lease_until));
        expect(num(r.lease_until)).toBeGreaterThan(now + 50_000);
      }
    } finally {
      await store.close();
      await db.destroy();
    }
  });
});
