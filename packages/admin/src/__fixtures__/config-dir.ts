import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ADMIN_NODE_MODULES = fileURLToPath(new URL("../../node_modules", import.meta.url));

/**
 * A deployment directory: config files next to a node_modules that holds @hookline/store-knex,
 * the way an installed project looks. Modules named in the config resolve from here.
 */
export function configDir(files: Readonly<Record<string, string>>): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), "hookline-admin-cfg-"));
  symlinkSync(ADMIN_NODE_MODULES, join(dir, "node_modules"), "dir");
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A `${NAME}` placeholder, as a config file writes it. */
export const envRef = (name: string) => `\${${name}}`;

/** A JSON config: the knex store by module spec, the database file from ${HL_DB}. */
export function jsonConfig(endpoints: readonly unknown[]): string {
  return JSON.stringify(
    {
      endpoints,
      store: {
        module: "@hookline/store-knex",
        export: "knexStore",
        options: {
          knex: {
            client: "better-sqlite3",
            connection: { filename: envRef("HL_DB") },
            useNullAsDefault: true,
          },
        },
      },
    },
    null,
    2,
  );
}
