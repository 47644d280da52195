import { type DependencyContainer, TOKENS } from "@hookline/core";
import { knexStore } from "./knex-store.js";
import type { KnexStoreOptions } from "./options.js";

/** Register a knex store as the container's DeliveryStore (TOKENS.Store). */
export function registerKnexStore(
  container: DependencyContainer,
  opts?: KnexStoreOptions | KnexStoreOptions["knex"],
): void {
  container.register(TOKENS.Store, { useValue: knexStore(opts) });
}
