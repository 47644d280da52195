import knexFactory, { type Knex } from "knex";
import mysql from "mysql2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dialectOf } from "../dialect.js";
import { describeTargets, testTargets } from "../testing/databases.js";
import { formatMysql, type MysqlDriver, mysqlInsert } from "./mysql-format.js";
import { type Binding, run, runInsert } from "./sql.js";

const driver: MysqlDriver = {
  format: (sql, v) => mysql.format(sql, v as Binding[]),
  escape: (v) => mysql.escape(v),
};

describe("formatMysql", () => {
  it("quotes clean strings as they are, double quotes included, and writes other values as the driver does", () => {
    const json = JSON.stringify({ a: "b", n: [1, 2] });
    const values: Binding[] = [json, 42, -1.5, null, true, false, "x"];
    const sql = "INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?)";
    expect(formatMysql(sql, values, driver)).toBe(
      `INSERT INTO t VALUES ('${json}', 42, -1.5, NULL, true, false, 'x')`,
    );
  });

  it("hands what a literal cannot carry verbatim to the driver's escaping", () => {
    for (const s of ["O'Brien", "back\\slash", "nul\0byte", "ctrl\x1az"]) {
      expect(formatMysql("SELECT ?", [s], driver)).toBe(`SELECT ${mysql.escape(s)}`);
    }
    expect(formatMysql("SELECT ?", [Number.NaN], driver)).toBe(`SELECT ${mysql.escape(Number.NaN)}`);
  });

  it("leaves a template whose placeholders and values do not pair up to the driver", () => {
    expect(formatMysql("SELECT ?, ?", ["a"], driver)).toBeUndefined();
    expect(formatMysql("SELECT ?", ["a", "b"], driver)).toBeUndefined();
    expect(formatMysql("SELECT '?', ?", ["a"], driver)).toBeUndefined();
  });

  it("leaves to the driver a template whose `?` may sit inside a literal or a comment", () => {
    expect(formatMysql("SELECT '?', ?", ["a", "b"], driver)).toBeUndefined();
    expect(formatMysql("SELECT 1 -- ?\n, ?", ["a", "b"], driver)).toBeUndefined();
    expect(formatMysql("SELECT 1 /* ? */, ?", ["a", "b"], driver)).toBeUndefined();
    expect(formatMysql("UPDATE t SET a = ? WHERE s = 'sending' AND id = ?", ["x", "y"], driver)).toBe(
      "UPDATE t SET a = 'x' WHERE s = 'sending' AND id = 'y'",
    );
  });

  it("writes values outside its types as the driver does, and -0 as 0", () => {
    const odd = [10n, undefined, new Date(0)] as unknown as Binding[];
    expect(formatMysql("SELECT ?, ?, ?", odd, driver)).toBe(`SELECT 10, NULL, ${mysql.escape(new Date(0))}`);
    expect(formatMysql("SELECT ?", [-0], driver)).toBe("SELECT 0");
  });

  it("does not read a `?` inside a value as a placeholder", () => {
    expect(formatMysql("SELECT ?, ?", ["why?", 1], driver)).toBe("SELECT 'why?', 1");
  });
});

describe("mysqlInsert", () => {
  it("refuses a computed cell whose SQL has no placeholder for its binding", () => {
    expect(() =>
      mysqlInsert("INSERT INTO t (x) VALUES ", [[{ sql: "@now", binding: 1 }]], "", driver),
    ).toThrow(expect.objectContaining({ code: "HOOKLINE_STORE_ERROR" }));
  });

  it("writes the rows as literals after the head, computed cells with their binding, then the suffix", () => {
    const rows = [
      ["a", 1, { sql: "@now" }],
      ["it's", null, { sql: "@now + ?", binding: 500 }],
    ];
    expect(
      mysqlInsert("INSERT INTO t (x, y, z) VALUES ", rows, " ON DUPLICATE KEY UPDATE y = y", driver),
    ).toBe(
      "INSERT INTO t (x, y, z) VALUES ('a', 1, @now), ('it\\'s', NULL, @now + 500) ON DUPLICATE KEY UPDATE y = y",
    );
  });
});

const targets = (await testTargets()).filter((t) => t.name === "mariadb");

describeTargets(targets, "formatMysql on the server", (target) => {
  let db: Knex;
  beforeAll(() => {
    db = knexFactory(target.config());
  });
  afterAll(() => db.destroy());

  it("sends clean values verbatim in the text, with no bindings left for knex or the driver", async () => {
    const sent: { sql: string; bindings?: unknown[] }[] = [];
    const listen = (q: { sql: string; bindings?: unknown[] }) => void sent.push(q);
    db.on("query", listen);
    try {
      await run(db, "SELECT ? AS j, ? AS n", ['{"a":"b"}', 3]);
    } finally {
      db.off("query", listen);
    }
    expect(sent).toHaveLength(1);
    expect(sent[0]?.sql).toBe(`SELECT '{"a":"b"}' AS j, 3 AS n`);
    expect(sent[0]?.bindings ?? []).toEqual([]);
  });

  it("reads back every value exactly as bound", async () => {
    const values: Binding[] = [
      '{"quote":"\\"","apostrophe":"it\'s","path":"C:\\\\dir"}',
      "line\nbreak\r\ttab",
      "nul\0and\x1actrl-z",
      "ünïcödé — 😀",
      "100% ? ?? :name $1",
      "",
      "'",
      "\\",
    ];
    const sql = `SELECT ${values.map((_, i) => `? AS v${i}`).join(", ")}`;
    const result = (await run(db, sql, values)) as [Record<string, string>[]];
    const row = result[0][0] as Record<string, string>;
    expect(values.map((_, i) => row[`v${i}`])).toEqual(values);
    const nums = (await run(db, "SELECT ? AS a, ? AS b, ? AS c", [1765100000123, -2.25, true])) as [
      Record<string, unknown>[],
    ];
    expect(nums[0][0]).toEqual({ a: 1765100000123, b: "-2.25", c: 1 });
  });

  it("inserts rows written straight from their cells, and reads them back as bound", async () => {
    const table = `mf_${process.pid}_${Date.now()}`;
    await db.schema.createTable(table, (t) => {
      t.string("id").primary();
      t.text("body");
      t.bigInteger("n");
      t.boolean("ok");
    });
    try {
      const rows = [
        ["a", '{"q":"it\'s \\ fine?"}', 7, true],
        ["b", null, { sql: "40 + ?", binding: 2 }, false],
      ];
      await runInsert(db, dialectOf(db)!, table, ["id", "body", "n", "ok"], rows);
      const back = await db(table).select().orderBy("id");
      expect(back).toEqual([
        { id: "a", body: '{"q":"it\'s \\ fine?"}', n: 7, ok: 1 },
        { id: "b", body: null, n: 42, ok: 0 },
      ]);
    } finally {
      await db.schema.dropTableIfExists(table);
    }
  });
});
