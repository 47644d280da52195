/** Physical table names for one prefix. */
export interface TableNames {
  readonly events: string;
  readonly deliveries: string;
  readonly attempts: string;
  readonly endpoints: string;
  /** knex's migration bookkeeping (it adds `<name>_lock`; SQLite migrations add `<name>_guard`). */
  readonly migrations: string;
  /** Every table the store may create, children first: drop them in this order to remove it. */
  readonly all: readonly string[];
}

export function tableNames(prefix: string): TableNames {
  const events = `${prefix}events`;
  const deliveries = `${prefix}deliveries`;
  const attempts = `${prefix}attempts`;
  const endpoints = `${prefix}endpoint_states`;
  const migrations = `${prefix}migrations`;
  return Object.freeze({
    events,
    deliveries,
    attempts,
    endpoints,
    migrations,
    all: Object.freeze([
      attempts,
      deliveries,
      events,
      endpoints,
      migrations,
      `${migrations}_lock`,
      `${migrations}_guard`,
    ]),
  });
}
