import type { Knex } from "knex";
import type { Dialect } from "./dialect.js";
import type { ResolvedOptions } from "./options.js";
import type { TableNames } from "./schema/tables.js";

/** Everything one store operation needs. */
export interface StoreContext {
  readonly db: Knex;
  readonly dialect: Dialect;
  readonly t: TableNames;
  readonly options: ResolvedOptions;
}

/** Run `fn` in one of the store's own short transactions (READ COMMITTED on servers). */
export function transaction<T>(ctx: StoreContext, fn: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  return ctx.db.transaction(fn, ctx.dialect.txConfig);
}
