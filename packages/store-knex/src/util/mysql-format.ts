import { HooklineError } from "@hookline/core";
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
  else if (typeof v === "boolean") out[n] = v ? "true" : "false";
  // Outside the Binding type (a Date, a bigint, undefined from untyped code): as the driver writes it.
  else out[n] = driver.escape(v);
  return n + 1;
}

// A piece of template that leaves a quote open or starts a comment: the `?` after it may sit
// inside a literal or a comment, which only the driver's quote-aware `format` can tell. Checked
// conservatively: each kind of quote must come an even number of times.
const QUOTE_OR_COMMENT = /['"`#]|--|\/\*/;
const COMMENT = /#|--|\/\*/;

function balanced(text: string): boolean {
  if (!QUOTE_OR_COMMENT.test(text)) return true;
  if (COMMENT.test(text)) return false;
  let single = 0;
  let double = 0;
  let back = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 39) single++;
    else if (c === 34) double++;
    else if (c === 96) back++;
  }
  return single % 2 === 0 && double % 2 === 0 && back % 2 === 0;
}

/** The template between two placeholders; undefined when it may hide one (see `balanced`). */
function piece(sql: string, from: number, to: number): string | undefined {
  const n = to - from;
  if (n === 2 && sql.charCodeAt(from) === 44 && sql.charCodeAt(from + 1) === 32) return COMMA;
  if (n === 4 && sql.startsWith(NEXT_ROW, from)) return NEXT_ROW;
  const text = sql.slice(from, to);
  return balanced(text) ? text : undefined;
}

/**
 * `sql` with each `?` replaced by its value's literal, joined into one flat string: what the
 * driver's `format` writes, less its garbage. The driver escapes every `"` of a JSON value with
 * a slice and two concatenations each, and grows the statement one concatenation per value; a
 * clean string here is placed between quotes as it is. Values that need escaping still get the
 * driver's own. Undefined when the placeholders and the values do not pair up one to one (a `?`
 * inside a literal of the template, say), or when a piece of the template leaves a quote open
 * or starts a comment: the driver's `format`, which parses quotes and comments, does it.
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
    const text = piece(sql, from, at);
    if (text === undefined) return undefined;
    out[n++] = text;
    n = put(out, n, v, driver);
    from = at + 1;
  }
  if (sql.indexOf("?", from) !== -1) return undefined;
  out[n++] = sql.slice(from);
  out.length = n;
  return out.join("");
}

/** A computed cell's SQL with its one binding; the store's own cells hold exactly one `?`. */
function computed(sql: string, binding: Binding, driver: MysqlDriver): string {
  const text = formatMysql(sql, [binding], driver);
  if (text === undefined)
    throw new HooklineError(
      "HOOKLINE_STORE_ERROR",
      `writing a computed cell: expected SQL with one placeholder for its binding, got ${JSON.stringify(sql)}`,
    );
  return text;
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
      else out[n++] = computed(v.sql, v.binding, driver);
    }
  }
  out[n++] = ")";
  out[n++] = suffix;
  out.length = n;
  return out.join("");
}
