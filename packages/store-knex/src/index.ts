export type { DialectName } from "./dialect.js";
export { knexStore } from "./knex-store.js";
export { rebuildStatsRollup } from "./maintenance/rebuild-rollup.js";
export { MIGRATIONS, migrationSource } from "./migrations/index.js";
export type { HooklineMigration, MigrationContext } from "./migrations/migration.js";
export { DEFAULT_SQLITE_FILE, type KnexStoreOptions } from "./options.js";
export { registerKnexStore } from "./register.js";
export { type TableNames, tableNames } from "./schema/tables.js";
