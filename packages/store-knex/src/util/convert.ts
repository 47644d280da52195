/** Drivers return BIGINT and aggregates as strings (pg, mysql2 DECIMAL) or numbers. */
export function num(v: unknown): number {
  return typeof v === "number" ? v : Number(v);
}

export function numOrNull(v: unknown): number | null {
  return v == null ? null : num(v);
}

export function dateOrNull(v: unknown): Date | null {
  return v == null ? null : new Date(num(v));
}

export function date(v: unknown): Date {
  return new Date(num(v));
}

/** SQLite and MySQL return booleans as 0/1. */
export function bool(v: unknown): boolean {
  return v === true || v === 1 || v === "1";
}
