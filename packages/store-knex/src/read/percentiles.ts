import type { Knex } from "knex";
import { num } from "../util/convert.js";

export interface Percentiles {
  readonly p50Ms: number | null;
  readonly p95Ms: number | null;
}

const RANKS = [50, 95] as const;
/** Rank r is the nearest-rank p-th percentile when r = ceil(p·n/100), in integer arithmetic. */
const isRank = (p: number) => `(rn * 100 >= cnt * ${p} AND (rn - 1) * 100 < cnt * ${p})`;

/**
 * Nearest-rank p50 and p95 of `v` per group, computed in the database with window functions
 * (MariaDB 10.2+, MySQL 8, PostgreSQL, SQLite 3.25+) so only the ≤ 2 rows per group holding the
 * answer travel back, however many attempts the range holds.
 *
 * `source` must select the `keys` columns and a numeric column named `v`.
 */
export async function percentilesBy(
  db: Knex,
  source: Knex.QueryBuilder,
  keys: readonly string[],
): Promise<Map<string, Percentiles>> {
  const partition = keys.join(", ");
  const ranked = db
    .from(source.as("s"))
    .select(
      ...keys,
      "v",
      db.raw(`ROW_NUMBER() OVER (PARTITION BY ${partition} ORDER BY v) AS rn`),
      db.raw(`COUNT(*) OVER (PARTITION BY ${partition}) AS cnt`),
    );
  const rows = (await db.from(ranked.as("r")).select("*").whereRaw(RANKS.map(isRank).join(" OR "))) as Record<
    string,
    unknown
  >[];
  const out = new Map<string, { p50Ms: number | null; p95Ms: number | null }>();
  for (const row of rows) {
    const key = groupKey(keys.map((k) => row[k]));
    const entry = out.get(key) ?? { p50Ms: null, p95Ms: null };
    const rn = num(row.rn);
    const cnt = num(row.cnt);
    const v = num(row.v);
    if (rn === Math.max(1, Math.ceil((50 * cnt) / 100))) entry.p50Ms = v;
    if (rn === Math.max(1, Math.ceil((95 * cnt) / 100))) entry.p95Ms = v;
    out.set(key, entry);
  }
  return out;
}

/** Map key for a group; NUL cannot occur in codes, endpoint ids or numbers. */
export function groupKey(values: readonly unknown[]): string {
  return values.map((v) => String(v)).join("\u0000");
}
