import { pidsOf } from "./cpu.js";
import type { DbName } from "./db.js";

/** The server processes of `db` on this machine (none for embedded SQLite). */
export function serverPids(db: DbName): number[] {
  if (db === "mariadb") return pidsOf("mariadbd");
  if (db === "postgresql") return pidsOf("postgres");
  return [];
}
