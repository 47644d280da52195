/** Physical table names for one prefix. */
export interface TableNames {
  readonly events: string;
  readonly deliveries: string;
  readonly attempts: string;
  readonly endpoints: string;
  /** knex's migration bookkeeping (it adds `<name>_lock`). */
  readonly migrations: string;
}

export function tableNames(prefix: string): TableNames {
  return Object.freeze({
    events: `${prefix}events`,
    deliveries: `${prefix}deliveries`,
    attempts: `${prefix}attempts`,
    endpoints: `${prefix}endpoint_states`,
    migrations: `${prefix}migrations`,
  });
}
