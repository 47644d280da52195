export {
  databaseConfig,
  describeTargets,
  dropTables,
  MARIADB_URL,
  openStore,
  POSTGRES_URL,
  probeDatabase,
  sqliteFile,
  type TestDbName,
  type TestTarget,
  testTargets,
  uniquePrefix,
} from "./databases.js";
export { withKnex } from "./with-knex.js";
