import { assertKnownKeys, invalidOption, keysOf } from "@hookline/core";
import type { Knex } from "knex";

/** Options of knexStore(). */
export interface KnexStoreOptions {
  /**
   * An existing Knex instance, or a knex config from which the store creates (and on close()
   * destroys) its own instance. Supported clients: better-sqlite3 / sqlite3, mysql2 / mysql
   * (MySQL 8, MariaDB 10.6+), pg.
   * @default { client: "better-sqlite3", connection: { filename: "./hookline.sqlite" } }
   */
  readonly knex?: Knex | Knex.Config;
  /**
   * Prefix of every table and index name: empty, or a lower-case letter followed by at most 23
   * lower-case letters, digits or `_`.
   * @default "hookline_"
   */
  readonly tablePrefix?: string;
  /**
   * Response bodies longer than this many UTF-8 bytes are cut at a character boundary and flagged
   * `responseTruncated`. Transports cap bodies too; this bounds what the log keeps.
   * @default 16384
   */
  readonly maxResponseBodyBytes?: number;
  /**
   * SQLite only: how long a write keeps retrying while another connection holds the database
   * lock. The store waits asynchronously, never in SQLite's (event-loop-blocking) busy handler.
   * @default 5000
   */
  readonly busyTimeoutMs?: number;
  /**
   * Destroy the Knex instance on close(). Defaults to true when the store created it from a
   * config, false when you passed your own instance.
   */
  readonly destroyOnClose?: boolean;
}

/** Validated, frozen options. */
export interface ResolvedOptions {
  readonly knex: Knex | Knex.Config;
  readonly ownsKnex: boolean;
  readonly tablePrefix: string;
  readonly maxResponseBodyBytes: number;
  readonly busyTimeoutMs: number;
  readonly destroyOnClose: boolean;
}

export const DEFAULT_SQLITE_FILE = "./hookline.sqlite";
const PREFIX = /^(?:[a-z][a-z0-9_]{0,23})?$/;
/**
 * Hookline's own keys of KnexStoreOptions. Only these are checked: what `knex` holds (an instance,
 * or a config with pool, migrations, driver options…) belongs to knex and is passed on untouched.
 */
export const KNEX_STORE_OPTION_KEYS = keysOf<KnexStoreOptions>({
  knex: true,
  tablePrefix: true,
  maxResponseBodyBytes: true,
  busyTimeoutMs: true,
  destroyOnClose: true,
});

const invalid = (option: string, expected: string, got: unknown) => invalidOption(option, expected, got);

/** A Knex instance is a function carrying its client; a config is a plain object with `client`. */
export function isKnexInstance(v: unknown): v is Knex {
  return typeof v === "function" && typeof (v as { client?: unknown }).client === "object";
}

function isKnexConfig(v: unknown): v is Knex.Config {
  return typeof v === "object" && v !== null && !Array.isArray(v) && "client" in v;
}

function positiveInt(option: string, v: unknown, fallback: number, max: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1 || v > max)
    throw invalid(option, `an integer from 1 to ${max}`, v);
  return v;
}

/** Accepts the options object, or a bare Knex instance or knex config as shorthand. */
export function resolveOptions(input: unknown): ResolvedOptions {
  if (isKnexConfig(input)) {
    // A bare knex config with the store's own keys mixed in would hand them to knex, unread.
    const mixed = KNEX_STORE_OPTION_KEYS.find((k) => k in input);
    if (mixed !== undefined) {
      throw invalid(
        mixed,
        "the knex config under `knex` when other store options are given ({ knex: { client, … }, " +
          `${mixed} }), not beside its client`,
        (input as Record<string, unknown>)[mixed],
      );
    }
    return resolveOptions({ knex: input });
  }
  if (isKnexInstance(input)) return resolveOptions({ knex: input });
  if (input === undefined) return resolveOptions({});
  if (typeof input !== "object" || input === null || Array.isArray(input))
    throw invalid("options", "an options object, a Knex instance or a knex config", input);
  const o = input;
  assertKnownKeys(o, KNEX_STORE_OPTION_KEYS, "knexStore options");
  const knex = o.knex ?? { client: "better-sqlite3", connection: { filename: DEFAULT_SQLITE_FILE } };
  if (!isKnexInstance(knex) && !isKnexConfig(knex))
    throw invalid("knex", "a Knex instance or a knex config with a client", knex);
  const tablePrefix = o.tablePrefix ?? "hookline_";
  if (typeof tablePrefix !== "string" || !PREFIX.test(tablePrefix))
    throw invalid("tablePrefix", `a string matching ${PREFIX}`, tablePrefix);
  if (o.destroyOnClose !== undefined && typeof o.destroyOnClose !== "boolean")
    throw invalid("destroyOnClose", "a boolean", o.destroyOnClose);
  const ownsKnex = !isKnexInstance(knex);
  return Object.freeze({
    knex,
    ownsKnex,
    tablePrefix,
    maxResponseBodyBytes: positiveInt("maxResponseBodyBytes", o.maxResponseBodyBytes, 16_384, 2 ** 30),
    busyTimeoutMs: positiveInt("busyTimeoutMs", o.busyTimeoutMs, 5000, 600_000),
    destroyOnClose: (o.destroyOnClose as boolean | undefined) ?? ownsKnex,
  });
}
