import { HooklineError } from "@hookline/core";
import type { Knex } from "knex";
import type { MigrationContext } from "./migration.js";

/**
 * The MySQL collation identifier columns use: binary (case matters) and NO PAD (a trailing space
 * matters). `utf8mb4_bin` is PAD SPACE on both servers, so `k` and `k ` collide in a unique key
 * and `WHERE subject = '0000 '` finds `0000`. Each server names its binary NO PAD collation
 * differently.
 */
export const NOPAD_COLLATION = { mariadb: "utf8mb4_nopad_bin", mysql: "utf8mb4_0900_bin" } as const;

/** The collation 0001 created every table with, which 0005 leaves on text columns. */
export const PAD_COLLATION = "utf8mb4_bin";

/** The binary NO PAD collation of the connected MySQL-family server; fails if it has none. */
export async function identifierCollation(db: Knex): Promise<string> {
  const [rows] = (await db.raw("SELECT VERSION() AS v")) as [{ v: string }[]];
  const version = String(rows[0]?.v);
  const name = /mariadb/i.test(version) ? NOPAD_COLLATION.mariadb : NOPAD_COLLATION.mysql;
  const [found] = (await db.raw(
    "SELECT COUNT(*) AS n FROM information_schema.collations WHERE collation_name = ?",
    [name],
  )) as [{ n: number | string }[]];
  if (Number(found[0]?.n) !== 1)
    throw new HooklineError(
      "HOOKLINE_STORE_ERROR",
      `migration: expected a server with the ${name} collation (MariaDB 10.2+ or MySQL 8.0.17+), got version ${JSON.stringify(version)}`,
    );
  return name;
}

interface ColumnRow {
  name: string;
  type: string;
  nullable: string;
  dflt: string | null;
  collation: string;
}

/**
 * Give every VARCHAR/CHAR column of `table` (its ids, keys, codes, subjects, tokens) and the
 * table's default the collation `collation`; TEXT columns (bodies, headers, messages) keep theirs,
 * since nothing compares or indexes them. One ALTER per table, so the table is copied once: a
 * collation change of an indexed column is a table copy on MariaDB and MySQL, with writes to the
 * table blocked until it ends (reads go on). Type, length and nullability are read back from the
 * table and kept, so every index stays valid. A table that is already converted is left alone,
 * so a run killed between tables finishes on the next migrate().
 */
export async function convertIdentifierColumns(
  db: Knex,
  ctx: MigrationContext,
  table: string,
  collation: string,
): Promise<void> {
  if (ctx.dialect !== "mysql") return;
  const [cols] = (await db.raw(
    `SELECT column_name AS name, column_type AS type, is_nullable AS nullable, column_default AS dflt,
            collation_name AS collation
       FROM information_schema.columns
      WHERE table_schema = DATABASE() AND table_name = ? AND data_type IN ('varchar', 'char')
      ORDER BY ordinal_position`,
    [table],
  )) as [ColumnRow[]];
  const [tables] = (await db.raw(
    "SELECT table_collation AS c FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?",
    [table],
  )) as [{ c: string }[]];
  const todo = cols.filter((c) => c.collation !== collation);
  if (todo.length === 0 && tables[0]?.c === collation) return;
  const bindings: string[] = [table];
  const clauses = todo.map((c) => {
    bindings.push(c.name);
    return `MODIFY ?? ${c.type} CHARACTER SET utf8mb4 COLLATE ${collation} ${c.nullable === "YES" ? "NULL" : "NOT NULL"}${defaultClause(c.dflt, bindings)}`;
  });
  clauses.push(`DEFAULT CHARACTER SET utf8mb4 COLLATE ${collation}`);
  await db.raw(`ALTER TABLE ?? ${clauses.join(", ")}`, bindings);
}

/**
 * A column's default, kept through MODIFY. MariaDB reports it as an SQL literal (`'x'`, `NULL`),
 * MySQL as the bare value; the store's own identifier columns have none.
 */
function defaultClause(dflt: string | null, bindings: string[]): string {
  if (dflt === null || dflt === "NULL") return "";
  if (dflt.startsWith("'")) return ` DEFAULT ${dflt}`;
  bindings.push(dflt);
  return " DEFAULT ?";
}
