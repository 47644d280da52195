import { type CpuGroup, pidsOf } from "./cpu.js";
import type { DbName } from "./db.js";

/**
 * The server processes of `db` on this machine (none for embedded SQLite). MariaDB is one process
 * with threads; PostgreSQL's backends come and go with connections, so they are found by name at
 * each snapshot.
 */
export function serverPids(db: DbName): CpuGroup {
  if (db === "mariadb") return pidsOf("mariadbd");
  if (db === "postgres") return { comm: "postgres" };
  return [];
}
