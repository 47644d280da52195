import { HooklineError } from "@hookline/core";
import type { Knex } from "knex";
import { tableNames } from "../schema/tables.js";
import type { HooklineMigration, MigrationContext } from "./migration.js";

/**
 * MySQL tables are utf8mb4 with a binary collation: bodies keep every code point, and keys,
 * subjects and codes are case-sensitive (the default *_ci collations would make idempotency keys
 * "K" and "k" collide). utf8mb4_bin still ignores trailing spaces, so 0005 moves the identifier
 * columns to a NO PAD collation; a later table needs convertIdentifierColumns() too.
 */
export function tableOptions(t: Knex.CreateTableBuilder, ctx: MigrationContext): void {
  if (ctx.dialect !== "mysql") return;
  t.engine("InnoDB");
  t.charset("utf8mb4");
  t.collate("utf8mb4_bin");
}

/**
 * MySQL cannot roll DDL back, so a process killed mid-migration leaves some tables behind while
 * the step stays unrecorded. Such a table can never have held data (the store refuses to run
 * before migrate() succeeds), so an empty leftover is replaced; one with rows is never touched.
 */
async function createFresh(
  db: Knex,
  name: string,
  migrations: string,
  build: (t: Knex.CreateTableBuilder) => void,
): Promise<void> {
  if (await db.schema.hasTable(name)) {
    if (await db(name).first()) {
      throw new HooklineError(
        "HOOKLINE_STORE_ERROR",
        `migration 0001_initial: table ${name} already holds rows but ${migrations} does not record the migration; refusing to replace it`,
      );
    }
    await db.schema.dropTable(name);
  }
  await db.schema.createTable(name, build);
}

/**
 * Times are BIGINT epoch milliseconds on every database: comparisons never depend on session
 * time zones or on how a driver parses dates, and "now + delay" is plain arithmetic in SQL.
 */
export const initialSchema: HooklineMigration = {
  name: "0001_initial",
  async up(db, ctx) {
    const t = tableNames(ctx.prefix);
    const p = ctx.prefix;
    await createFresh(db, t.events, t.migrations, (tb) => {
      tableOptions(tb, ctx);
      tb.string("id", 64).primary();
      tb.string("code", 64).notNullable();
      tb.string("subject", 255).nullable();
      // The exact bytes that were signed: text, never JSON (re-serialising would change them).
      tb.text("body", "longtext").notNullable();
      tb.string("idempotency_key", 255).nullable();
      tb.bigInteger("created_at").notNullable();
      tb.unique(["idempotency_key"], { indexName: `${p}events_idempotency_key_uq` });
      // Lists run newest first, (created_at, id) descending: each filter index ends with both.
      tb.index(["created_at", "id"], `${p}events_created_idx`);
      tb.index(["code", "created_at", "id"], `${p}events_code_idx`);
      tb.index(["subject", "created_at", "id"], `${p}events_subject_idx`);
    });
    await createFresh(db, t.deliveries, t.migrations, (tb) => {
      tableOptions(tb, ctx);
      tb.string("id", 64).primary();
      tb.string("event_id", 64).notNullable();
      tb.string("event_code", 64).notNullable();
      tb.string("endpoint_id", 64).notNullable();
      tb.string("subject", 255).nullable();
      tb.string("status", 16).notNullable();
      tb.integer("attempts").notNullable().defaultTo(0);
      tb.bigInteger("next_attempt_at").nullable();
      tb.bigInteger("lease_until").nullable();
      tb.string("claim_token", 64).nullable();
      tb.string("worker_id", 255).nullable();
      tb.integer("last_status").nullable();
      tb.string("last_error_code", 64).nullable();
      tb.integer("last_duration_ms").nullable();
      tb.bigInteger("created_at").notNullable();
      tb.bigInteger("updated_at").notNullable();
      // Claim query and lease recovery.
      tb.index(["status", "next_attempt_at"], `${p}dlv_due_idx`);
      tb.index(["status", "lease_until"], `${p}dlv_lease_idx`);
      // Admin filters: each index serves its filter, a created_at range and the newest-first
      // order (created_at, id) without a sort. Endpoint + status is the "what failed for this
      // receiver" query; without its own index MySQL intersects two indexes and sorts.
      tb.index(["status", "created_at", "id"], `${p}dlv_status_idx`);
      tb.index(["endpoint_id", "created_at", "id"], `${p}dlv_endpoint_idx`);
      tb.index(["endpoint_id", "status", "created_at", "id"], `${p}dlv_endpoint_status_idx`);
      tb.index(["event_code", "created_at", "id"], `${p}dlv_code_idx`);
      tb.index(["subject", "created_at", "id"], `${p}dlv_subject_idx`);
      tb.index(["event_id"], `${p}dlv_event_idx`);
      // Unfiltered pages and time ranges; covering for the stats and timeline counts.
      tb.index(["created_at", "id", "event_code", "endpoint_id", "status"], `${p}dlv_created_idx`);
      // Retention: terminal rows by age.
      tb.index(["status", "updated_at"], `${p}dlv_purge_idx`);
    });
    await createFresh(db, t.attempts, t.migrations, (tb) => {
      tableOptions(tb, ctx);
      tb.string("id", 64).primary();
      tb.string("delivery_id", 64).notNullable();
      // Denormalised so stats and endpoint health read attempts without a join.
      tb.string("endpoint_id", 64).notNullable();
      tb.string("event_code", 64).notNullable();
      tb.integer("attempt").notNullable();
      tb.bigInteger("started_at").notNullable();
      tb.integer("duration_ms").notNullable();
      tb.text("url").nullable();
      tb.text("request_headers").nullable();
      tb.integer("response_status").nullable();
      tb.text("response_headers").nullable();
      tb.text("response_body", "longtext").nullable();
      tb.boolean("response_truncated").notNullable().defaultTo(false);
      tb.string("outcome", 16).notNullable();
      tb.string("error_code", 64).nullable();
      tb.text("error_message").nullable();
      tb.index(["delivery_id", "attempt"], `${p}att_delivery_idx`);
      tb.index(["endpoint_id", "outcome", "started_at"], `${p}att_health_idx`);
      // Covering for stats, timeline and health over a started_at range.
      tb.index(["started_at", "event_code", "endpoint_id", "duration_ms", "outcome"], `${p}att_started_idx`);
    });
    await createFresh(db, t.endpoints, t.migrations, (tb) => {
      tableOptions(tb, ctx);
      tb.string("endpoint_id", 64).primary();
      tb.boolean("disabled").notNullable();
      tb.bigInteger("disabled_at").nullable();
      tb.text("disabled_reason").nullable();
      tb.bigInteger("updated_at").notNullable();
    });
  },
  async down(db, ctx) {
    const t = tableNames(ctx.prefix);
    for (const name of [t.endpoints, t.attempts, t.deliveries, t.events])
      await db.schema.dropTableIfExists(name);
  },
};
