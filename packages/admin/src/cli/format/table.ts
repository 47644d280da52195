import Table from "cli-table3";
import type { Colors } from "../context.js";

/** A cli-table3 table; cli-table3's own colours are off so NO_COLOR and pipes stay plain. */
export function renderTable(
  c: Colors,
  head: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const table = new Table({ head: head.map((h) => c.bold(h)), style: { head: [], border: [] } });
  for (const r of rows) table.push([...r]);
  return table.toString();
}

/** Two-column key/value table for one record. */
export function renderFields(c: Colors, fields: readonly (readonly [string, string])[]): string {
  const table = new Table({ style: { head: [], border: [] } });
  for (const [k, v] of fields) table.push({ [c.bold(k)]: v });
  return table.toString();
}
