import type { Knex } from "knex";
import { tableNames } from "../schema/tables.js";
import { hasIndex } from "./index-steps.js";
import type { HooklineMigration, MigrationContext } from "./migration.js";

/** The index 0008 adds, without the table prefix. */
export const SUBJECT_ORDER_INDEX = "dlv_subject_order_idx";
const COLUMNS = ["endpoint_id", "subject", "status", "created_at", "id"] as const;
/**
 * The unfinished states, the only ones an ordering probe asks for. The claim, waitingFor and
 * supersede write this very text into their queries: SQLite uses a partial index only for a query
 * whose WHERE repeats the index's term.
 */
export const UNFINISHED_SQL = "status IN ('pending', 'sending')";

/**
 * Ordering by subject. `ordered` marks a delivery to an endpoint with `ordering: "subject"`: it is
 * not claimed while an earlier delivery (by created_at, then id) of the same endpoint and subject
 * is pending or sending. Existing rows get false (never held).
 *
 * `dlv_subject_order_idx (endpoint_id, subject, status, created_at, id)` serves that "is there an
 * earlier unfinished one" probe (claim, insert demotion, waitingFor) and supersede's "older pending
 * ones of this subject" lock: one index dive each. On PostgreSQL and SQLite it is partial, `WHERE
 * status IN ('pending','sending')`: it holds only the live backlog, and a completion that makes a
 * row terminal removes its entry instead of rewriting it. MySQL and MariaDB have no partial
 * indexes; there it holds every row. Its string columns already have the binary NO PAD collation
 * 0005 gave every identifier, so `subject = ?` matches byte for byte, as on PostgreSQL and SQLite.
 *
 * Cost, checked on MariaDB 10.11: the column (NOT NULL with a constant default) is added INSTANT,
 * a metadata change (a test runs it under `alter_algorithm = INSTANT`); the index is built in
 * place, never copying the table (the test runs the whole step and its rollback under `NOCOPY`),
 * and the same ALTER accepts `LOCK=NONE`: reads and writes go on while it builds, which reads
 * every row once. Rollback drops the index in place and the column INSTANT. On PostgreSQL 11+ the
 * column is a catalog change; the index build blocks writes to the deliveries table until it
 * ends (not CONCURRENTLY, which cannot run in the migration's transaction) and indexes only the
 * pending and sending rows. Each step checks first, so one killed half-way on MySQL (DDL commits
 * implicitly) finishes on the next migrate().
 */
export const subjectOrder: HooklineMigration = {
  name: "0008_subject_order",
  async up(db, ctx) {
    const t = tableNames(ctx.prefix);
    if (!(await db.schema.hasColumn(t.deliveries, "ordered")))
      await db.schema.alterTable(t.deliveries, (tb) => {
        tb.boolean("ordered").notNullable().defaultTo(false);
      });
    const name = `${ctx.prefix}${SUBJECT_ORDER_INDEX}`;
    if (!(await hasIndex(db, ctx, t.deliveries, name))) await createIndex(db, ctx, t.deliveries, name);
  },
  async down(db, ctx) {
    const t = tableNames(ctx.prefix);
    const name = `${ctx.prefix}${SUBJECT_ORDER_INDEX}`;
    if (await hasIndex(db, ctx, t.deliveries, name))
      await db.schema.alterTable(t.deliveries, (tb) => {
        tb.dropIndex([], name);
      });
    if (await db.schema.hasColumn(t.deliveries, "ordered"))
      await db.schema.alterTable(t.deliveries, (tb) => {
        tb.dropColumn("ordered");
      });
  },
};

async function createIndex(db: Knex, ctx: MigrationContext, table: string, name: string): Promise<void> {
  if (ctx.dialect === "mysql") {
    await db.schema.alterTable(table, (tb) => {
      tb.index([...COLUMNS], name);
    });
    return;
  }
  const columns = COLUMNS.map(() => "??").join(", ");
  await db.raw(`CREATE INDEX ?? ON ?? (${columns}) WHERE ${UNFINISHED_SQL}`, [name, table, ...COLUMNS]);
}
