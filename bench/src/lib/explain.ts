import type { Knex } from "knex";

/** One row of a MariaDB EXPLAIN, reduced to what shows whether an index serves the query. */
export interface PlanRow {
  readonly query: string;
  readonly table: string;
  readonly type: string;
  readonly key: string | null;
  readonly rows: number | null;
  readonly extra: string;
  /**
   * A base table read through an index lookup or range (derived tables and window steps count as
   * served). A full index scan (type `index`) reads every entry, so it counts as a scan.
   */
  readonly usesIndex: boolean;
  /** The statement as the store sent it (placeholders, not values), for the JSON report. */
  readonly sql: string;
}

/** Records the SQL a knex instance runs, so the store's own queries can be EXPLAINed. */
export function captureQueries(db: Knex): { take(): { sql: string; bindings: readonly unknown[] }[] } {
  let seen: { sql: string; bindings: readonly unknown[] }[] = [];
  db.on("query", (q: { sql: string; bindings?: readonly unknown[] }) =>
    seen.push({ sql: q.sql, bindings: q.bindings ?? [] }),
  );
  return {
    take() {
      const out = seen;
      seen = [];
      return out;
    },
  };
}

/** EXPLAIN each SELECT as MariaDB would run it. */
export async function explain(
  db: Knex,
  label: string,
  queries: readonly { sql: string; bindings: readonly unknown[] }[],
): Promise<PlanRow[]> {
  const out: PlanRow[] = [];
  for (const [i, q] of queries.filter((x) => /^\s*select/i.test(x.sql)).entries()) {
    const [rows] = (await db.raw(`EXPLAIN ${q.sql}`, q.bindings as Knex.RawBinding[])) as [
      Record<string, unknown>[],
    ];
    for (const r of rows) {
      const table = String(r.table ?? "");
      const type = String(r.type ?? "");
      const key = r.key == null ? null : String(r.key);
      const derived = table.startsWith("<");
      out.push({
        query: queries.length > 1 ? `${label} (${i + 1})` : label,
        table,
        type,
        key,
        rows: r.rows == null ? null : Number(r.rows),
        extra: String(r.Extra ?? ""),
        usesIndex: derived || (key !== null && type !== "ALL" && type !== "index"),
        sql: q.sql,
      });
    }
  }
  return out;
}
