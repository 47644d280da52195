import { tableNames } from "../schema/tables.js";
import type { HooklineMigration } from "./migration.js";

/**
 * `trace_parent` and `trace_state` keep the W3C trace context of the emit that stored an event, so
 * an attempt made later, by any process, can join or link to the emit's trace. Both are nullable:
 * events stored without tracing, by older processes, or before this step have none.
 *
 * A nullable column without a default, appended, is added without copying the table: a catalog
 * change on PostgreSQL (every version) and SQLite, INSTANT on MariaDB 10.3+ and MySQL 8.0.12+
 * (a test runs the step under MariaDB's `alter_algorithm = INSTANT`, which refuses a copy). On
 * MySQL the columns take the table's default collation, which 0005 made the binary NO PAD one,
 * like every other string column; they hold ASCII only. The step checks for each column first,
 * so one killed half-way on MySQL (DDL commits implicitly) finishes on the next migrate().
 */
export const eventTraceContext: HooklineMigration = {
  name: "0007_event_trace_context",
  async up(db, ctx) {
    const t = tableNames(ctx.prefix);
    const parent = !(await db.schema.hasColumn(t.events, "trace_parent"));
    const state = !(await db.schema.hasColumn(t.events, "trace_state"));
    if (!parent && !state) return;
    await db.schema.alterTable(t.events, (tb) => {
      // 55 chars: a version-00 traceparent; 512: what W3C asks a propagator to keep of tracestate.
      if (parent) tb.string("trace_parent", 55).nullable();
      if (state) tb.string("trace_state", 512).nullable();
    });
  },
  async down(db, ctx) {
    const t = tableNames(ctx.prefix);
    const present: string[] = [];
    for (const column of ["trace_parent", "trace_state"])
      if (await db.schema.hasColumn(t.events, column)) present.push(column);
    if (present.length === 0) return;
    await db.schema.alterTable(t.events, (tb) => {
      tb.dropColumns(...present);
    });
  },
};
