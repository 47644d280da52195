import type { Binding, Cell } from "./sql.js";

/** What the MySQL driver (mysql2) offers to write values into SQL. */
export interface MysqlDriver {
  /** `sql` with its `?` placeholders replaced by the escaped values (parses quotes). */
  readonly format: (sql: string, values: readonly Binding[]) => string;
  /** One value as a SQL literal. */
  readonly escape: (value: Binding) => string;
}

// What a single-quoted MySQL literal cannot carry verbatim with backslash escapes on (the quote
// and the backslash), and NUL and Ctrl-Z, which the driver escapes as well: such a value goes
// through the driver's escaping. Every other character, `"` included, means itself in a literal.
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL and Ctrl-Z are what it looks for
const NEEDS_DRIVER = /[\0\x1a'\\]/;

// Pieces between placeholders that hand-built statements repeat on every row: pushed as constants
// instead of being sliced out of the template once per value.
const COMMA = ", ";
const NEXT_ROW = "), (";

/** Write `v`'s literal into `out` from `n`; returns the next free index (at most 3 used). */
function put(out: string[], n: number, v: Binding, driver: MysqlDriver): number {
  if (typeof v === "string") {
    if (NEEDS_DRIVER.test(v)) {
      out[n] = driver.escape(v);
      return n + 1;
    }
    // Three parts, not `'${v}'`: a concatenation would copy or link the value once more.
    out[n] = "'";
    out[n + 1] = v;
    out[n + 2] = "'";
    return n + 3;
  }
  if (typeof v === "number") out[n] = Number.isFinite(v) ? String(v) : driver.escape(v);
  else if (v === null) out[n] = "NULL";
  else out[n] = v ? "true" : "false";
  return n + 1;
}

function piece(sql: string, from: number, to: number): string {
  const n = to - from;
  if (n === 2 && sql.charCodeAt(from) === 44 && sql.charCodeAt(from + 1) === 32) return COMMA;
  if (n === 4 && sql.startsWith(NEXT_ROW, from)) return NEXT_ROW;
  return sql.slice(from, to);
}

/**
 * `sql` with each `?` replaced by its value's literal, joined into one flat string: what the
 * driver's `format` writes, less its garbage. The driver escapes every `"` of a JSON value with
 * a slice and two concatenations each, and grows the statement one concatenation per value; a
 * clean string here is placed between quotes as it is. Values that need escaping still get the
 * driver's own. Undefined when the placeholders and the values do not pair up one to one (a `?`
 * inside a literal of the template, say): the driver's `format`, which parses quotes, does it.
 */
export function formatMysql(
  sql: string,
  values: readonly Binding[],
  driver: MysqlDriver,
): string | undefined {
  // Sized once (a piece and at most three parts per value): grown by pushes, a statement of
  // thousands of values would copy its array several times over.
  const out = new Array<string>(4 * values.length + 1);
  let n = 0;
  let from = 0;
  for (const v of values) {
    const at = sql.indexOf("?", from);
    if (at === -1) return undefined;
    out[n++] = piece(sql, from, at);
    n = put(out, n, v, driver);
    from = at + 1;
  }
  if (sql.indexOf("?", from) !== -1) return undefined;
  out[n++] = sql.slice(from);
  out.length = n;
  return out.join("");
}

/**
 * `head` (`INSERT INTO t (columns) VALUES `) followed by the rows as literals, and `suffix`:
 * the statement written straight from the rows, with no template of placeholders to build and
 * scan. A computed cell's SQL is written as it is, its one binding formatted into it.
 */
export function mysqlInsert(
  head: string,
  rows: readonly (readonly Cell[])[],
  suffix: string,
  driver: MysqlDriver,
): string {
  let size = 3;
  for (const row of rows) size += 4 * row.length + 1;
  const out = new Array<string>(size);
  let n = 0;
  out[n++] = head;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r] as readonly Cell[];
    out[n++] = r === 0 ? "(" : NEXT_ROW;
    for (let c = 0; c < row.length; c++) {
      if (c > 0) out[n++] = COMMA;
      const v = row[c] as Cell;
      if (v === null || typeof v !== "object") n = put(out, n, v, driver);
      else if (v.binding === undefined) out[n++] = v.sql;
      else out[n++] = formatMysql(v.sql, [v.binding], driver) ?? driver.format(v.sql, [v.binding]);
    }
  }
  out[n++] = ")";
  out[n++] = suffix;
  out.length = n;
  return out.join("");
}
