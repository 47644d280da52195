/** Physical table names for one prefix. */
export interface TableNames {
  readonly events: string;
  readonly deliveries: string;
  readonly attempts: string;
  readonly endpoints: string;
  /** Recent claims of rate-limited endpoints: the sliding window over the bucket (migration 0009). */
  readonly endpointSends: string;
  /** The hourly roll-up stats() reads whole hours from (write/stats-rollup.ts). */
  readonly statsHourly: string;
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
  const endpointSends = `${prefix}endpoint_sends`;
  const migrations = `${prefix}migrations`;
  const statsHourly = `${prefix}stats_hourly`;
  return Object.freeze({
    events,
    deliveries,
    attempts,
    endpoints,
    endpointSends,
    statsHourly,
    migrations,
    all: Object.freeze([
      statsHourly,
      attempts,
      deliveries,
      events,
      endpointSends,
      endpoints,
      migrations,
      `${migrations}_lock`,
      `${migrations}_guard`,
    ]),
  });
}
