import { HooklineError } from "@hookline/core";
import knexFactory, { type Knex } from "knex";
import { type Dialect, dialectOf } from "./dialect.js";
import { isKnexInstance, type ResolvedOptions } from "./options.js";

type AfterCreate = (conn: unknown, done: (err: Error | null, conn: unknown) => void) => void;
interface SqliteConnection {
  pragma?(source: string): unknown;
}

const SQLITE_CLIENTS = new Set(["better-sqlite3", "sqlite3"]);

/**
 * SQLite connections the store opens get WAL (readers never block the writer) and no busy
 * handler: better-sqlite3 is synchronous, so SQLite's own busy wait would freeze the event loop.
 * A busy database surfaces at once and the store retries asynchronously (util/retry.ts).
 * Only better-sqlite3 (the supported SQLite driver) exposes pragma(); a node-sqlite3 connection
 * is left as its driver configures it.
 */
function withSqliteSetup(config: Knex.Config): Knex.Config {
  const pool = config.pool ?? {};
  const userAfterCreate = pool.afterCreate as AfterCreate | undefined;
  const afterCreate: AfterCreate = (conn, done) => {
    try {
      const c = conn as SqliteConnection;
      if (typeof c.pragma === "function") {
        c.pragma("journal_mode = WAL");
        c.pragma("busy_timeout = 0");
      }
    } catch (err) {
      return done(err as Error, conn);
    }
    if (userAfterCreate) return userAfterCreate(conn, done);
    done(null, conn);
  };
  return { useNullAsDefault: true, ...config, pool: { ...pool, afterCreate } };
}

/**
 * mysql2 gives every connection a prepared-statement cache sized by `maxPreparedStatements`
 * (default 16,000), allocated up front: about 0.5 MB of heap per pooled connection for the life
 * of the process. The store prepares no statements, so a connection it opens gets a small one
 * unless the configuration sets its own.
 */
const MYSQL2_STATEMENT_CACHE = 16;

function withSmallStatementCache(config: Knex.Config): Knex.Config {
  const connection = config.connection;
  if (typeof connection !== "object" || connection === null || Array.isArray(connection)) return config;
  if ("maxPreparedStatements" in connection) return config;
  // mysql2 lets the object's keys win over its URI's: a size set in the URI must not be overridden.
  const uri = (connection as { uri?: unknown }).uri;
  if (typeof uri === "string" && /[?&]maxPreparedStatements=/.test(uri)) return config;
  return { ...config, connection: { ...connection, maxPreparedStatements: MYSQL2_STATEMENT_CACHE } };
}

function clientName(config: Knex.Config): string {
  return typeof config.client === "string" ? config.client : "";
}

/** The knex instance the store uses, plus its dialect. */
export function openKnex(opts: ResolvedOptions): { db: Knex; dialect: Dialect } {
  let db: Knex;
  if (isKnexInstance(opts.knex)) {
    db = opts.knex;
  } else {
    const client = clientName(opts.knex);
    const config = SQLITE_CLIENTS.has(client)
      ? withSqliteSetup(opts.knex)
      : client === "mysql2"
        ? withSmallStatementCache(opts.knex)
        : opts.knex;
    try {
      db = knexFactory(config);
    } catch (cause) {
      throw new HooklineError(
        "HOOKLINE_INVALID_OPTION",
        `knex: could not create a knex instance for client ${JSON.stringify(clientName(config))} (is its driver installed?)`,
        { cause },
      );
    }
  }
  const dialect = dialectOf(db);
  if (!dialect) {
    if (!isKnexInstance(opts.knex)) void db.destroy();
    const client = (db.client as { config?: { client?: unknown } }).config?.client;
    throw new HooklineError(
      "HOOKLINE_INVALID_OPTION",
      `knex: expected a better-sqlite3, sqlite3, mysql2, mysql or pg client, got ${JSON.stringify(String(client))}`,
    );
  }
  return { db, dialect };
}
