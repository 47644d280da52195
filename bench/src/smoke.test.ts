import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { probeDatabase } from "@hookline/store-knex/testing";
import { describe, expect, it } from "vitest";
import { runBench } from "./lib/bench.js";
import { probeBrokers } from "./lib/brokers.js";
import { writeReport } from "./lib/report.js";
import { SCENARIOS } from "./scenarios/index.js";

// A tiny run of the real harness (real MariaDB, PostgreSQL, SQLite, RabbitMQ, NATS JetStream and a
// loopback receiver) so it cannot rot while CI never runs the full benchmark. With CI set an
// unreachable server fails the suite; locally the suite is skipped with the reason in its name.
const ONLY = ["1", "2", "3", "4", "8", "9", "10", "13", "14"];
const FIGURES = [
  "http.rate",
  "hand-rolled.rate",
  ...["mariadb", "sqlite", "postgres"].flatMap((db) =>
    ["durable", "parallel"].flatMap((m) => [`e2e.${db}.${m}.rate`, `e2e.${db}.${m}.emit-rate`]),
  ),
  ...["durable", "parallel"].flatMap((m) => ["p50", "p99", "max"].map((p) => `emit.mariadb.${m}.${p}`)),
  ...["http", "amqp", "nats"].flatMap((sink) => [`sinks.${sink}.rate`, `sinks.${sink}.emit-rate`]),
  ...["off", "api", "off-sdk", "sdk"].flatMap((v) =>
    ["rate", "emit-rate", "cpu"].map((f) => `telemetry.${v}.${f}`),
  ),
  ...["api", "sdk"].map((v) => `telemetry.${v}.cpu-ratio`),
  "pipeline.minimal.rate",
  ...["bounded", "burst"].flatMap((v) => [`pipeline.hookline.${v}.rate`, `pipeline.hookline.${v}.emit-rate`]),
  ...["rss", "baseline-rss", "emit-rate", "rate"].map((f) => `burst.${f}`),
];

const down = (
  await Promise.all([
    ...(["mariadb", "postgres"] as const).map(async (db) => {
      const err = await probeDatabase(db);
      return err === undefined ? undefined : `${db} unreachable: ${err}`;
    }),
    probeBrokers(),
  ])
).filter((x): x is string => x !== undefined);

function smoke() {
  it("runs scenarios 1, 2, 3, 4, 8, 9, 10, 13 and 14 at smoke sizes: every delivery logged, every figure reported", async () => {
    const out = mkdtempSync(join(tmpdir(), "hl-bench-smoke-"));
    try {
      const report = await runBench(
        SCENARIOS,
        { quick: true, rounds: 1, only: ONLY, reseed: false, out },
        { command: "vitest bench/src/smoke.test.ts", log: () => {} },
      );
      expect(report.scenarios.map((s) => [s.id, s.error ?? null])).toEqual(ONLY.map((id) => [id, null]));
      const checks = report.scenarios.flatMap((s) => s.checks);
      // 1 ceiling + 1 hand-rolled + 2 MariaDB modes + 2 latency modes + 4 SQLite/PostgreSQL runs
      // + 3 sinks + 4 telemetry variants and what the SDK recorded in the two variants with one
      // + the minimal pipeline and Hookline bounded and burst + the memory burst.
      expect(checks).toHaveLength(23);
      expect(checks.filter((c) => !c.ok)).toEqual([]);
      const figures = new Map(report.scenarios.flatMap((s) => s.figures.map((f) => [f.key, f] as const)));
      for (const key of FIGURES) {
        const f = figures.get(key);
        expect(f, key).toBeDefined();
        expect(Number.isFinite(f!.median) && f!.median > 0, `${key} = ${f?.median}`).toBe(true);
      }
      const judged = report.targets.filter((t) => t.status !== "not run").map((t) => t.id);
      expect(judged).toEqual([
        "e2e-vs-hand-rolled",
        "e2e-vs-ceiling",
        "pipeline-bounded",
        "pipeline-burst",
        "burst-vs-bounded",
        "pipeline-logged",
        "burst-rss",
        "e2e-logged",
        "emit-p50",
        "amqp-vs-http",
        "nats-vs-http",
        "sinks-logged",
        "telemetry-api",
        "telemetry-sdk",
      ]);
      const files = writeReport(report, out);
      expect(JSON.parse(readFileSync(files.json, "utf8")).scenarios).toHaveLength(ONLY.length);
      for (const f of figures.values()) expect(files.text).toContain(f.label);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 120_000);
}

if (down.length === 0) describe("bench harness smoke run", smoke);
else if (process.env.CI)
  describe("bench harness smoke run", () => {
    it("reaches MariaDB, PostgreSQL, RabbitMQ and NATS (required because CI is set)", () => {
      throw new Error(down.join("; "));
    });
  });
else describe.skip(`bench harness smoke run — skipped: ${down.join("; ")}`, smoke);
