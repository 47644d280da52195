import knexFactory, { type Knex } from "knex";
import mysql from "mysql2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeTargets, testTargets } from "../testing/databases.js";
import { formatMysql } from "./mysql-format.js";
import { type Binding, run } from "./sql.js";

const driverEscape = (v: Binding) => mysql.escape(v);

describe("formatMysql", () => {
  it("quotes clean strings as they are, double quotes included, and writes other values as the driver does", () => {
    const json = JSON.stringify({ a: "b", n: [1, 2] });
    const values: Binding[] = [json, 42, -1.5, null, true, false, "x"];
    const sql = "INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?)";
    expect(formatMysql(sql, values, driverEscape)).toBe(
      `INSERT INTO t VALUES ('${json}', 42, -1.5, NULL, true, false, 'x')`,
    );
  });

  it("hands what a literal cannot carry verbatim to the driver's escaping", () => {
    for (const s of ["O'Brien", "back\\slash", "nul\0byte", "ctrl\x1az"]) {
      expect(formatMysql("SELECT ?", [s], driverEscape)).toBe(`SELECT ${mysql.escape(s)}`);
    }
    expect(formatMysql("SELECT ?", [Number.NaN], driverEscape)).toBe(`SELECT ${mysql.escape(Number.NaN)}`);
  });

  it("leaves a template whose placeholders and values do not pair up to the driver", () => {
    expect(formatMysql("SELECT ?, ?", ["a"], driverEscape)).toBeUndefined();
    expect(formatMysql("SELECT ?", ["a", "b"], driverEscape)).toBeUndefined();
    expect(formatMysql("SELECT '?', ?", ["a"], driverEscape)).toBeUndefined();
  });

  it("does not read a `?` inside a value as a placeholder", () => {
    expect(formatMysql("SELECT ?, ?", ["why?", 1], driverEscape)).toBe("SELECT 'why?', 1");
  });
});

const targets = (await testTargets()).filter((t) => t.name === "mariadb");

describeTargets(targets, "formatMysql on the server", (target) => {
  let db: Knex;
  beforeAll(() => {
    db = knexFactory(target.config());
  });
  afterAll(() => db.destroy());

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
});
