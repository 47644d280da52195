import type { Knex } from "knex";
import type { DialectName } from "../dialect.js";

/** What a migration needs to know besides the connection. */
export interface MigrationContext {
  readonly prefix: string;
  readonly dialect: DialectName;
}

/** One schema step shipped with the package. Names sort in the order they run. */
export interface HooklineMigration {
  readonly name: string;
  up(db: Knex, ctx: MigrationContext): Promise<void>;
  down(db: Knex, ctx: MigrationContext): Promise<void>;
}
