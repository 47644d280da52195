import type { Knex } from "knex";

export type DialectName = "sqlite" | "mysql" | "postgres";

/** The few places where SQL differs between the three databases. */
export interface Dialect {
  readonly name: DialectName;
  /**
   * SQL for "now" in epoch milliseconds. MySQL and PostgreSQL read the database clock so every
   * worker compares leases on one clock; SQLite is in-process, so application time is inlined.
   * Both server forms are statement-stable, so `col <= now` can still use an index range.
   */
  nowMs(): string;
  /** Bound parameters one statement may carry. */
  readonly maxParams: number;
  /** Rows per multi-row INSERT; SQLite compiles them to a compound SELECT capped at 500 terms. */
  readonly maxRowsPerInsert: number;
  /** `FOR UPDATE SKIP LOCKED` claims (else compare-and-set). */
  readonly skipLocked: boolean;
  /** NULLs sort before every value in an ascending index (MySQL, SQLite; not PostgreSQL). */
  readonly nullsFirst: boolean;
  /** Options for the store's own short transactions. */
  readonly txConfig: Knex.TransactionConfig | undefined;
  /** Type a bound parameter so CASE branches of NULLs and numbers agree (PostgreSQL infers text). */
  int(placeholder: string): string;
  text(placeholder: string): string;
  /** Integer division of two integer SQL expressions. */
  intDiv(a: string, b: string): string;
  /** A unique-key violation naming `column` (or its index); any unique-key violation without it. */
  isUniqueViolation(err: unknown, column?: string): boolean;
  /** A deadlock, lock timeout or busy database: the whole transaction may simply be retried. */
  isTransient(err: unknown): boolean;
  /** PostgreSQL TEXT rejects NUL; other databases store it as is. */
  storableText(s: string): string;
}

interface DriverError {
  code?: unknown;
  errno?: unknown;
  message?: unknown;
  /** mysql2: the server's message; knex puts the whole statement in front of `message`. */
  sqlMessage?: unknown;
  constraint?: unknown;
}
const fields = (err: unknown): DriverError => (typeof err === "object" && err !== null ? err : {});

const sqlite: Dialect = Object.freeze({
  name: "sqlite",
  nowMs: () => String(Date.now()),
  maxParams: 32_766,
  maxRowsPerInsert: 500,
  skipLocked: false,
  nullsFirst: true,
  txConfig: undefined,
  int: (p: string) => p,
  text: (p: string) => p,
  intDiv: (a: string, b: string) => `((${a}) / (${b}))`,
  isUniqueViolation: (err: unknown, column?: string) => {
    const e = fields(err);
    // Primary keys and unique indexes both fail as "UNIQUE constraint failed: <table>.<column>".
    const message = String(e.message);
    if (!String(e.code).startsWith("SQLITE_CONSTRAINT") || !message.includes("UNIQUE constraint failed"))
      return false;
    return column === undefined || message.includes(`.${column}`);
  },
  isTransient: (err: unknown) => /^SQLITE_(BUSY|LOCKED)/.test(String(fields(err).code)),
  storableText: (s: string) => s,
});

const mysql: Dialect = Object.freeze({
  name: "mysql",
  // UTC_TIMESTAMP ignores the session time zone and TIMESTAMPDIFF is plain arithmetic, so this
  // is exact even across DST changes (UNIX_TIMESTAMP(NOW()) is not).
  nowMs: () => "(TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', UTC_TIMESTAMP(6)) DIV 1000)",
  maxParams: 60_000,
  maxRowsPerInsert: 500,
  skipLocked: true,
  nullsFirst: true,
  // Under REPEATABLE READ concurrent SKIP LOCKED claimers deadlock on gap locks (TOOLCHAIN G7).
  txConfig: Object.freeze({ isolationLevel: "read committed" }) as Knex.TransactionConfig,
  // Untyped: a CAST would carry the connection collation and clash with utf8mb4_bin columns.
  int: (p: string) => p,
  text: (p: string) => p,
  intDiv: (a: string, b: string) => `((${a}) DIV (${b}))`,
  isUniqueViolation: (err: unknown, column?: string) => {
    const e = fields(err);
    // The server's own message names the key; knex's `message` also holds the statement, which
    // names every column it inserts.
    return e.errno === 1062 && (column === undefined || String(e.sqlMessage ?? e.message).includes(column));
  },
  // 1213 deadlock, 1205 lock wait timeout, 1020 MariaDB snapshot-isolation conflict.
  isTransient: (err: unknown) => [1213, 1205, 1020].includes(Number(fields(err).errno)),
  storableText: (s: string) => s,
});

const postgres: Dialect = Object.freeze({
  name: "postgres",
  nowMs: () => "(floor(extract(epoch from statement_timestamp()) * 1000)::bigint)",
  maxParams: 60_000,
  maxRowsPerInsert: 500,
  skipLocked: true,
  nullsFirst: false,
  txConfig: Object.freeze({ isolationLevel: "read committed" }) as Knex.TransactionConfig,
  int: (p: string) => `CAST(${p} AS BIGINT)`,
  text: (p: string) => `CAST(${p} AS TEXT)`,
  intDiv: (a: string, b: string) => `((${a}) / (${b}))`,
  isUniqueViolation: (err: unknown, column?: string) => {
    const e = fields(err);
    return e.code === "23505" && (column === undefined || String(e.constraint ?? e.message).includes(column));
  },
  isTransient: (err: unknown) => ["40P01", "40001", "55P03"].includes(String(fields(err).code)),
  storableText: (s: string) => (s.includes("\u0000") ? s.replaceAll("\u0000", "\uFFFD") : s),
});

const BY_CLIENT: Readonly<Record<string, Dialect>> = {
  sqlite3: sqlite,
  "better-sqlite3": sqlite,
  mysql,
  mysql2: mysql,
  postgresql: postgres,
  postgres,
  pg: postgres,
};

/** The dialect of a knex instance, or undefined when the client is not supported. */
export function dialectOf(db: Knex): Dialect | undefined {
  const client = db.client as { dialect?: unknown; config?: { client?: unknown } };
  const name = typeof client.dialect === "string" ? client.dialect : String(client.config?.client);
  return BY_CLIENT[name];
}
