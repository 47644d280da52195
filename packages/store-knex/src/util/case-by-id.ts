import type { Knex } from "knex";

/**
 * `CASE id WHEN ? THEN <value> … END` for per-row values in one UPDATE. `value` renders the THEN
 * branch around its placeholder (a cast, or "now + ?"); a null value skips the placeholder.
 */
export function caseById<T>(
  db: Knex | Knex.Transaction,
  rows: readonly T[],
  idOf: (row: T) => string,
  pick: (row: T) => string | number | null,
  render: (placeholder: string) => string,
  column = "id",
): Knex.Raw {
  const parts: string[] = [];
  const bindings: (string | number)[] = [];
  for (const row of rows) {
    const v = pick(row);
    bindings.push(idOf(row));
    // A typed NULL: PostgreSQL resolves an all-NULL CASE to text, which an integer column rejects.
    if (v === null) {
      parts.push(`WHEN ? THEN ${render("NULL")}`);
    } else {
      parts.push(`WHEN ? THEN ${render("?")}`);
      bindings.push(v);
    }
  }
  return db.raw(`CASE ${column} ${parts.join(" ")} END`, bindings);
}
