import {
  createHookline,
  type DependencyContainer,
  type EndpointConfig,
  container as root,
} from "@hookline/core";
import { buyerEvents } from "@hookline/events-buyer";
import { registerKnexStore } from "@hookline/store-knex";
import { registerHttpTransport } from "@hookline/transport-http";
import knexFactory, { type Knex } from "knex";
import type { ServiceConfig } from "./service-config.js";

/**
 * The one place adapters are chosen: configuration decides what is registered against core's
 * tokens, and createHookline resolves them from the container.
 */
export function compose(cfg: ServiceConfig, endpoints: readonly EndpointConfig[]) {
  // One pool for the service's tables and the delivery log, so emit({ trx }) joins business writes.
  const db: Knex = knexFactory({
    client: "mysql2",
    connection: { uri: cfg.store.databaseUrl, charset: "utf8mb4" },
    pool: { min: 0, max: 10 },
  });
  const container: DependencyContainer = root.createChildContainer();
  registerKnexStore(container, { knex: db, tablePrefix: cfg.store.tablePrefix });
  registerHttpTransport(container, {
    ssrf: { allow: [...cfg.transport.allow] },
    timeoutMs: cfg.transport.timeoutMs,
  });
  const hooks = createHookline({
    plugins: [buyerEvents()],
    endpoints,
    container,
    worker: { pollIntervalMs: 250 },
  });
  return { db, hooks, buyersTable: `${cfg.store.tablePrefix}demo_buyers` };
}
