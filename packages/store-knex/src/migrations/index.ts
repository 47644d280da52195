import type { Knex } from "knex";
import { initialSchema } from "./0001-initial.js";
import { leanDeliveryIndexes } from "./0002-lean-delivery-indexes.js";
import { statusCoversStats } from "./0003-status-covers-stats.js";
import { statsRollup } from "./0004-stats-rollup.js";
import { exactIdentifiers } from "./0005-exact-identifiers.js";
import { deliveryReplays } from "./0006-delivery-replays.js";
import { eventTraceContext } from "./0007-event-trace-context.js";
import { subjectOrder } from "./0008-subject-order.js";
import { endpointControl } from "./0009-endpoint-control.js";
import type { HooklineMigration, MigrationContext } from "./migration.js";

/** Every migration the package ships, oldest first. */
export const MIGRATIONS: readonly HooklineMigration[] = Object.freeze([
  initialSchema,
  leanDeliveryIndexes,
  statusCoversStats,
  statsRollup,
  exactIdentifiers,
  deliveryReplays,
  eventTraceContext,
  subjectOrder,
  endpointControl,
]);

/**
 * A knex migration source over the shipped migrations, so `knex.migrate.latest()` needs no
 * knexfile or migrations directory.
 */
export function migrationSource(ctx: MigrationContext): Knex.MigrationSource<HooklineMigration> {
  return {
    getMigrations: async () => [...MIGRATIONS],
    getMigrationName: (m) => m.name,
    getMigration: async (m) => ({ up: (db: Knex) => m.up(db, ctx), down: (db: Knex) => m.down(db, ctx) }),
  };
}
