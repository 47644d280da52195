import type { Knex } from "knex";
import type { Dialect } from "../dialect.js";
import { formatMysql, type MysqlDriver, mysqlInsert } from "./mysql-format.js";

/**
 * Hand-built statements for the hot write path (insert, complete). The query builder compiles
 * every row through lodash and its own binding machinery; these build one SQL string with `?`
 * placeholders and a flat binding array, which knex.raw hands to the driver almost as is.
 */

export type Binding = string | number | boolean | null;

/** A quoted identifier. Table names come from the validated prefix; quoting is belt and braces. */
export function quoteId(dialect: Dialect, name: string): string {
  return dialect.name === "mysql" ? `\`${name.replaceAll("`", "``")}\`` : `"${name.replaceAll('"', '""')}"`;
}

/** `(?, ?, …)` for `n` values. */
export function tuple(n: number): string {
  return n === 1 ? "(?)" : `(?${", ?".repeat(n - 1)})`;
}

/** Rows of a raw SELECT, whichever driver ran it. */
export function rawRows<T>(dialect: Dialect, result: unknown): T[] {
  if (dialect.name === "mysql") return (result as [T[]])[0];
  if (dialect.name === "postgres") return (result as { rows: T[] }).rows;
  return result as T[];
}

/** Rows changed by a raw UPDATE or DELETE, whichever driver ran it. */
export function rawCount(dialect: Dialect, result: unknown): number {
  if (dialect.name === "mysql") return Number((result as [{ affectedRows: number }])[0].affectedRows);
  if (dialect.name === "postgres") return Number((result as { rowCount: number }).rowCount);
  return Number((result as { changes: number }).changes);
}

/** A value computed in SQL: `sql` with at most one `?`, bound to `binding`. */
export interface SqlValue {
  readonly sql: string;
  readonly binding?: Binding;
}
export type Cell = Binding | SqlValue;

const isSqlValue = (v: Cell): v is SqlValue => typeof v === "object" && v !== null;

/** `INSERT INTO table (columns) VALUES `: what every multi-row insert starts with. */
function insertHead(dialect: Dialect, table: string, columns: readonly string[]): string {
  const cols = columns.map((c) => quoteId(dialect, c)).join(", ");
  return `INSERT INTO ${quoteId(dialect, table)} (${cols}) VALUES `;
}

/** `INSERT INTO table (columns) VALUES (…), (…)`, rows given as cells in column order. */
function insertSql(
  dialect: Dialect,
  table: string,
  columns: readonly string[],
  rows: readonly (readonly Cell[])[],
): { sql: string; bindings: Binding[] } {
  const bindings: Binding[] = [];
  const plain = tuple(columns.length);
  const parts: string[] = [];
  for (const row of rows) {
    if (!row.some(isSqlValue)) {
      for (const v of row) bindings.push(v as Binding);
      parts.push(plain);
      continue;
    }
    const cells: string[] = [];
    for (const v of row) {
      if (!isSqlValue(v)) {
        bindings.push(v);
        cells.push("?");
      } else {
        if (v.binding !== undefined) bindings.push(v.binding);
        cells.push(v.sql);
      }
    }
    parts.push(`(${cells.join(", ")})`);
  }
  return { sql: `${insertHead(dialect, table, columns)}${parts.join(", ")}`, bindings };
}

/** The MySQL driver's own `format` and `escape`, once knex has loaded it; undefined elsewhere. */
function mysqlDriver(db: Knex | Knex.Transaction): MysqlDriver | undefined {
  const client = (db as unknown as { client?: { dialect?: string; driver?: Partial<MysqlDriver> } }).client;
  if (client?.dialect !== "mysql" && client?.dialect !== "mysql2") return undefined;
  const driver = client.driver;
  return typeof driver?.format === "function" && typeof driver.escape === "function"
    ? (driver as MysqlDriver)
    : undefined;
}

/**
 * Run a raw statement in `db` (a transaction or the pool). On MySQL the values are written into
 * the SQL here (formatMysql, the driver's escaping for what needs it), which is what the driver
 * would do with them anyway, with less garbage; knex then passes the finished text on as it is.
 */
export function run(
  db: Knex | Knex.Transaction,
  sql: string,
  bindings: readonly Binding[],
): Promise<unknown> {
  const driver = bindings.length > 0 ? mysqlDriver(db) : undefined;
  if (driver) {
    const text = formatMysql(sql, bindings, driver) ?? driver.format(sql, bindings);
    return db.raw(text) as unknown as Promise<unknown>;
  }
  return db.raw(sql, bindings as Knex.RawBinding[]) as unknown as Promise<unknown>;
}

/**
 * Run `INSERT INTO table (columns) VALUES …` for `rows` in `db`, then `suffix` (an upsert
 * clause, say). On MySQL the statement is written straight from the rows (mysqlInsert).
 */
export function runInsert(
  db: Knex | Knex.Transaction,
  dialect: Dialect,
  table: string,
  columns: readonly string[],
  rows: readonly (readonly Cell[])[],
  suffix = "",
): Promise<unknown> {
  const driver = rows.length > 0 ? mysqlDriver(db) : undefined;
  if (driver) {
    const text = mysqlInsert(insertHead(dialect, table, columns), rows, suffix && ` ${suffix}`, driver);
    return db.raw(text) as unknown as Promise<unknown>;
  }
  const q = insertSql(dialect, table, columns, rows);
  return run(db, suffix ? `${q.sql} ${suffix}` : q.sql, q.bindings);
}
