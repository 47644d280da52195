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

describe("mysql2 connections the store does not size", () => {
  const settingsOf = async (connection: Knex.Config["connection"]) => {
    const { db } = openKnex(resolveOptions({ knex: { client: "mysql2", connection } }));
    try {
      return (db.client as { config: Knex.Config }).config.connection;
    } finally {
      await db.destroy();
    }
  };

  it("a connection string is parsed by knex, with no cache size added", async () => {
    const settings = await settingsOf(MARIADB_URL);
    expect(settings).toHaveProperty("host");
    expect(settings).not.toHaveProperty("maxPreparedStatements");
  });

  it("a connection function is left as it is", async () => {
    const provider = () => ({ uri: MARIADB_URL });
    expect(await settingsOf(provider)).toBe(provider);
  });

  it("a size set in the object's uri is kept", async () => {
    const uri = `${MARIADB_URL}?maxPreparedStatements=200`;
    expect(await settingsOf({ uri })).toEqual({ uri });
  });

  it("an object gets the small cache", async () => {
    expect(await settingsOf({ uri: MARIADB_URL })).toEqual({ uri: MARIADB_URL, maxPreparedStatements: 16 });
  });
});
