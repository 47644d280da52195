import { knexStore, rebuildStatsRollup } from "@hookline/store-knex";
import knexFactory, { type Knex } from "knex";
import { dropPrefix, serverConfig } from "./db.js";
import { currentFingerprint, schemaFingerprint } from "./schema-fingerprint.js";
import { insertAttemptsSql, insertDeliveriesSql, insertEventsSql, SPAN_MS } from "./seed-sql.js";

/** Bump when seed-sql.ts changes what it generates: older seeds are then rebuilt. */
const SEED_VERSION = 1;
const CHUNK = 100_000;

export interface SeedInfo {
  readonly prefix: string;
  readonly rows: number;
  /** created_at of the first row; rows span SPAN_MS from here. */
  readonly baseMs: number;
  /** True when this call built the seed, false when an existing complete one was reused. */
  readonly built: boolean;
  readonly seconds: number;
}

async function count(db: Knex, table: string): Promise<number> {
  const [r] = await db(table).count({ n: "*" });
  return Number(r?.n ?? 0);
}

/**
 * The stored seed when it is complete, of this version and size, and built by today's migration
 * (the store's schema still changes; a seed with yesterday's indexes would measure the wrong
 * thing); else undefined with the reason.
 */
async function existing(
  db: Knex,
  config: Knex.Config,
  prefix: string,
  rows: number,
): Promise<{ baseMs: number } | string> {
  if (!(await db.schema.hasTable(`${prefix}seed_info`))) return "no seed yet";
  const info = (await db(`${prefix}seed_info`).first()) as
    | { version: number; rows: number; base_ms: number }
    | undefined;
  if (!info || Number(info.version) !== SEED_VERSION || Number(info.rows) !== rows)
    return "seed of another version or size";
  for (const t of ["events", "deliveries", "attempts"])
    if ((await count(db, `${prefix}${t}`)) !== rows) return `${prefix}${t} is incomplete`;
  if ((await schemaFingerprint(db, prefix)) !== (await currentFingerprint(db, config)))
    return "the store's migration changed since the seed was built";
  return { baseMs: Number(info.base_ms) };
}

/**
 * Make sure `prefix` holds a complete seed of `rows` events, deliveries and attempts; reuse it
 * when it does (unless `reseed`), so re-runs skip the minutes a 1M build takes. The seed_info
 * row is written last, so an interrupted build is detected and rebuilt.
 */
export async function ensureSeed(opts: {
  prefix: string;
  rows: number;
  reseed: boolean;
  log: (m: string) => void;
}): Promise<SeedInfo> {
  const { prefix, rows } = opts;
  const config = serverConfig("mariadb", 2);
  const db = knexFactory(config);
  const t0 = performance.now();
  try {
    const found = opts.reseed ? "--reseed" : await existing(db, config, prefix, rows);
    if (typeof found !== "string")
      return { prefix, rows, baseMs: found.baseMs, built: false, seconds: (performance.now() - t0) / 1000 };
    opts.log(
      `building the ${rows}-row seed under ${prefix}* (${found}): INSERT … SELECT from seq_1_to_${rows}`,
    );
    await dropPrefix(config, prefix);
    const store = knexStore({ knex: config, tablePrefix: prefix });
    await store.migrate();
    await store.close();
    const baseMs = Date.now() - SPAN_MS;
    for (const [name, sql] of [
      ["events", insertEventsSql(prefix, rows, baseMs)],
      ["deliveries", insertDeliveriesSql(prefix, rows, baseMs)],
      ["attempts", insertAttemptsSql(prefix, rows, baseMs)],
    ] as const) {
      for (let from = 1; from <= rows; from += CHUNK) {
        await db.raw(sql, [from, Math.min(rows, from + CHUNK - 1)]);
      }
      opts.log(`  ${name}: ${rows} rows after ${Math.round(performance.now() - t0) / 1000} s`);
    }
    // The rows went in behind the store's back, as in a log that predates the roll-up: build it
    // the way migration 0004 does for such a log.
    await rebuildStatsRollup(db, { tablePrefix: prefix });
    opts.log(`  stats roll-up: rebuilt after ${Math.round(performance.now() - t0) / 1000} s`);
    // Fresh index statistics, so the optimizer plans as it would on a long-lived table.
    for (const t of ["events", "deliveries", "attempts", "stats_hourly"])
      await db.raw(`ANALYZE TABLE ${prefix}${t}`);
    await db.schema.createTable(`${prefix}seed_info`, (t) => {
      t.integer("version").notNullable();
      t.integer("rows").notNullable();
      t.bigInteger("base_ms").notNullable();
      t.bigInteger("finished_at").notNullable();
    });
    await db(`${prefix}seed_info`).insert({
      version: SEED_VERSION,
      rows,
      base_ms: baseMs,
      finished_at: Date.now(),
    });
    return { prefix, rows, baseMs, built: true, seconds: (performance.now() - t0) / 1000 };
  } finally {
    await db.destroy();
  }
}
