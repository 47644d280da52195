import type { Knex } from "knex";
import { describe, expect, it } from "vitest";
import { openKnex } from "./connection.js";
import { resolveOptions } from "./options.js";
import { describeTargets, MARIADB_URL, testTargets } from "./testing/databases.js";

interface Mysql2Connection {
  readonly config: { readonly maxPreparedStatements: number };
}

/** The statement cache size of a connection the store's pool opens with `connection`. */
async function statementCache(connection: Knex.MySql2ConnectionConfig | Record<string, unknown>) {
  const { db } = openKnex(
    resolveOptions({ knex: { client: "mysql2", connection, pool: { min: 0, max: 1 } } }),
  );
  try {
    const conn = (await db.client.acquireConnection()) as Mysql2Connection;
    const size = conn.config.maxPreparedStatements;
    await db.client.releaseConnection(conn);
    return size;
  } finally {
    await db.destroy();
  }
}

const mariadb = (await testTargets()).filter((t) => t.name === "mariadb");

describeTargets(mariadb, "connections the store opens with mysql2", () => {
  it("get a 16-statement cache instead of mysql2's 16,000 (the store prepares none)", async () => {
    expect(await statementCache({ uri: MARIADB_URL })).toBe(16);
  });

  it("keep the cache size the configuration sets", async () => {
    expect(await statementCache({ uri: MARIADB_URL, maxPreparedStatements: 500 })).toBe(500);
  });

  it("work: a query runs on them", async () => {
    const { db } = openKnex(resolveOptions({ knex: { client: "mysql2", connection: { uri: MARIADB_URL } } }));
    try {
      const [rows] = await db.raw("SELECT 1 + 1 AS two");
      expect(rows).toEqual([{ two: 2 }]);
    } finally {
      await db.destroy();
    }
  });
});

describe("a mysql2 connection given as a string", () => {
  it("is left to knex to parse: no cache size is added to it", () => {
    const { db } = openKnex(resolveOptions({ knex: { client: "mysql2", connection: MARIADB_URL } }));
    const settings = (db.client as { connectionSettings?: unknown }).connectionSettings;
    expect(settings).not.toHaveProperty("maxPreparedStatements");
    void db.destroy();
  });
});
