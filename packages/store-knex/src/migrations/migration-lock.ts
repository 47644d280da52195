import { HooklineError } from "@hookline/core";
import type { Knex } from "knex";
import type { StoreContext } from "../context.js";
import { num } from "../util/convert.js";

/**
 * Run `fn` while holding a lock that serialises migrations of this schema (database + table
 * prefix) across processes, and that the database drops by itself if the holder's session dies:
 * - MySQL/MariaDB: GET_LOCK on a name derived from DATABASE() and the prefix (session lock);
 * - PostgreSQL: pg_advisory_xact_lock (released at commit or rollback);
 * - SQLite: the database write lock, taken by a first write and held to commit.
 *
 * `fn` gets the knex to migrate with: the lock's own transaction on PostgreSQL and SQLite (DDL
 * is transactional there), the pool on MySQL, whose DDL commits implicitly and would break the
 * transaction under knex's feet (it warns "do not mix transactions and DDL").
 */
export async function withMigrationLock(
  ctx: StoreContext,
  waitSeconds: number,
  fn: (runner: Knex) => Promise<void>,
): Promise<void> {
  const { db, dialect, options } = ctx;
  const key = `hookline_migrate:${options.tablePrefix}`;
  const timedOut = () =>
    new HooklineError(
      "HOOKLINE_STORE_ERROR",
      `migrating the schema: another process held the migration lock for over ${waitSeconds} s`,
    );
  if (dialect.name === "mysql") {
    // Lock names are server-wide and at most 64 chars: hash the database name and prefix.
    const name = "CONCAT('hl:', SHA1(CONCAT(DATABASE(), ':', ?)))";
    await db.transaction(async (trx) => {
      const [rows] = (await trx.raw(`SELECT GET_LOCK(${name}, ?) AS got`, [key, waitSeconds])) as [
        { got: unknown }[],
      ];
      if (num(rows[0]?.got) !== 1) throw timedOut();
      try {
        // The lock pins one connection; a pool of one has nothing left, so it migrates on it.
        await fn(poolMax(db) >= 2 ? db : trx);
      } finally {
        await trx.raw(`SELECT RELEASE_LOCK(${name})`, [key]);
      }
    });
    return;
  }
  if (dialect.name === "postgres") {
    await db.transaction(async (trx) => {
      await trx.raw(`SET LOCAL lock_timeout = '${Math.round(waitSeconds)}s'`);
      await trx.raw("SELECT pg_advisory_xact_lock(hashtext(?))", [key]).catch((err: unknown) => {
        throw (err as { code?: unknown }).code === "55P03" ? timedOut() : err;
      });
      await trx.raw("SET LOCAL lock_timeout = 0");
      await fn(trx);
    });
    return;
  }
  await sqliteExclusive(ctx, waitSeconds * 1000, fn);
}

/** SQLite has one writer: a transaction that writes first holds the file's write lock to commit. */
async function sqliteExclusive(ctx: StoreContext, waitMs: number, fn: (runner: Knex) => Promise<void>) {
  const guard = `${ctx.t.migrations}_guard`;
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      await ctx.db.transaction(async (trx) => {
        await trx.raw("CREATE TABLE IF NOT EXISTS ?? (id INTEGER PRIMARY KEY)", [guard]);
        await trx(guard).whereRaw("0 = 1").del();
        await fn(trx);
      });
      return;
    } catch (err) {
      // busy_timeout is 0 on store connections (see connection.ts): wait here, asynchronously.
      if (!ctx.dialect.isTransient(err) || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 5 + Math.random() * 45));
    }
  }
}

function poolMax(db: Knex): number {
  const client = db.client as { pool?: { max?: unknown }; config?: { pool?: { max?: unknown } } };
  return Number(client.pool?.max ?? client.config?.pool?.max ?? 1);
}
