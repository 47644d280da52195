import { knexStore } from "@hookline/store-knex";
import type { Knex } from "knex";
import { benchPrefix, dropPrefix } from "./db.js";

const TABLES = ["events", "deliveries", "attempts", "stats_hourly"];

/**
 * Columns and indexes (names without the prefix, with their column lists) of a store's tables on
 * MariaDB: two prefixes with the same fingerprint were built by the same migration.
 */
export async function schemaFingerprint(db: Knex, prefix: string): Promise<string> {
  const names = TABLES.map((t) => `${prefix}${t}`);
  const [cols] = (await db.raw(
    `select table_name as t, column_name as c, column_type as ty from information_schema.columns
     where table_schema = database() and table_name in (${names.map(() => "?").join(", ")}) order by table_name, ordinal_position`,
    names,
  )) as [{ t: string; c: string; ty: string }[]];
  const [idx] = (await db.raw(
    `select table_name as t, index_name as i, group_concat(column_name order by seq_in_index) as c
     from information_schema.statistics where table_schema = database() and table_name in (${names.map(() => "?").join(", ")})
     group by table_name, index_name order by table_name, index_name`,
    names,
  )) as [{ t: string; i: string; c: string }[]];
  const strip = (s: string) => (s.startsWith(prefix) ? s.slice(prefix.length) : s);
  return [
    ...cols.map((r) => `${strip(r.t)}.${r.c}:${r.ty}`),
    ...idx.map((r) => `${strip(r.t)}#${strip(r.i)}(${r.c})`),
  ].join("\n");
}

/** The fingerprint today's migration produces (on a throwaway prefix, dropped afterwards). */
export async function currentFingerprint(db: Knex, config: Knex.Config): Promise<string> {
  const prefix = benchPrefix("fp");
  const store = knexStore({ knex: config, tablePrefix: prefix });
  try {
    await store.migrate();
    return await schemaFingerprint(db, prefix);
  } finally {
    await store.close();
    await dropPrefix(config, prefix);
  }
}
