import type { Binding } from "./sql.js";

/** The driver's own escaping of one value (mysql2's `escape`). */
export type EscapeValue = (value: Binding) => string;

// What a single-quoted MySQL literal cannot carry verbatim with backslash escapes on (the quote
// and the backslash), and NUL and Ctrl-Z, which the driver escapes as well: such a value goes
// through the driver's escaping. Every other character, `"` included, means itself in a literal.
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL and Ctrl-Z are what it looks for
const NEEDS_DRIVER = /[\0\x1a'\\]/;

// Pieces between placeholders that hand-built statements repeat on every row: pushed as constants
// instead of being sliced out of the template once per value.
const COMMA = ", ";
const NEXT_ROW = "), (";

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
  escapeValue: EscapeValue,
): string | undefined {
  // Sized once (at most a piece and three parts per value): grown by pushes, a statement of
  // thousands of values would copy its array several times over.
  const out = new Array<string>(3 * values.length + 1);
  let n = 0;
  let from = 0;
  for (let i = 0; i < values.length; i++) {
    const at = sql.indexOf("?", from);
    if (at === -1) return undefined;
    out[n++] = piece(sql, from, at);
    const v = values[i] as Binding;
    if (typeof v === "string") {
      if (NEEDS_DRIVER.test(v)) out[n++] = escapeValue(v);
      else {
        out[n++] = "'";
        out[n++] = v;
        out[n++] = "'";
      }
    } else if (typeof v === "number") {
      out[n++] = Number.isFinite(v) ? String(v) : escapeValue(v);
    } else if (v === null) {
      out[n++] = "NULL";
    } else {
      out[n++] = v ? "true" : "false";
    }
    from = at + 1;
  }
  if (sql.indexOf("?", from) !== -1) return undefined;
  out[n++] = sql.slice(from);
  out.length = n;
  return out.join("");
}
