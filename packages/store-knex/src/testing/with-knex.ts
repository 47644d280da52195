import knexFactory, { type Knex } from "knex";

/**
 * Run `fn` on a knex pool of its own for `config`, closed afterwards: for tests that read or
 * write table rows directly, as the database holds them, beside a store.
 */
export async function withKnex<T>(config: Knex.Config, fn: (db: Knex) => Promise<T>): Promise<T> {
  const db = knexFactory(config);
  try {
    return await fn(db);
  } finally {
    await db.destroy();
  }
}
