import { parseArgs } from "node:util";
import type { DeliveryStore } from "@hookline/core";
import { knexStore } from "@hookline/store-knex";

/** The JSON a bench child process (bench/workers/*.mjs) gets as `--config=<json>`. */
export function childConfig<T>(script: string): T {
  const { values } = parseArgs({ options: { config: { type: "string" } }, strict: true });
  if (values.config === undefined) throw new Error(`usage: ${script} --config=<json>`);
  return JSON.parse(values.config) as T;
}

/** A knexStore on MariaDB as the bench's child processes open it: their own pool of 10. */
export const childStore = (databaseUrl: string, prefix: string): DeliveryStore =>
  knexStore({
    knex: {
      client: "mysql2",
      connection: { uri: databaseUrl, charset: "utf8mb4" },
      pool: { min: 0, max: 10 },
    },
    tablePrefix: prefix,
  });
