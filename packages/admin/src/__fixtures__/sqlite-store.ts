import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DeliveryStore } from "@hookline/core";
import { knexStore } from "@hookline/store-knex";

/** A knex config for a SQLite file (several pools can share a file, unlike :memory:). */
export const sqliteConfig = (file: string) => ({
  client: "better-sqlite3",
  connection: { filename: file },
  useNullAsDefault: true,
});

/** A real, migrated SQLite knex store in a fresh temp directory. */
export async function tempSqliteStore(): Promise<{
  store: DeliveryStore;
  file: string;
  dir: string;
  cleanup(): Promise<void>;
}> {
  const dir = mkdtempSync(join(tmpdir(), "hookline-admin-"));
  const file = join(dir, "log.sqlite");
  const store = knexStore({ knex: sqliteConfig(file) });
  await store.migrate();
  return {
    store,
    file,
    dir,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
