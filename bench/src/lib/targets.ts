import { type FigureSummary, figuresByKey, type ScenarioResult } from "./results.js";
import { median } from "./stats.js";

/** A benchmark target: a ratio of two figures, a bound on one, or passing log checks. */
export type Target =
  | {
      readonly id: string;
      readonly label: string;
      readonly kind: "ratio";
      readonly num: string;
      readonly den: string;
      readonly min: number;
    }
  | {
      readonly id: string;
      readonly label: string;
      readonly kind: "max";
      readonly key: string;
      readonly max: number;
    }
  | {
      readonly id: string;
      readonly label: string;
      readonly kind: "checks";
      readonly scenarios: readonly string[];
    }
  | {
      /** A ratio kept in the report with no bound to meet. */
      readonly id: string;
      readonly label: string;
      readonly kind: "report";
      readonly num: string;
      readonly den: string;
    };

export const TARGETS: readonly Target[] = [
  {
    id: "e2e-vs-hand-rolled",
    label: "Hookline durable end to end ≥ 4× hand-rolled baseline",
    kind: "ratio",
    num: "e2e.mariadb.durable.rate",
    den: "hand-rolled.rate",
    min: 4,
  },
  {
    id: "e2e-vs-ceiling",
    label: "Hookline durable end to end vs the HTTP-only ceiling (reported; no longer a target)",
    kind: "report",
    num: "e2e.mariadb.durable.rate",
    den: "http.rate",
  },
  {
    id: "pipeline-bounded",
    label: "Hookline durable, 512 emits outstanding ≥ 0.75× the minimal batched pipeline (MariaDB)",
    kind: "ratio",
    num: "pipeline.hookline.bounded.rate",
    den: "pipeline.minimal.rate",
    min: 0.75,
  },
  {
    id: "pipeline-burst",
    label: "Hookline durable, 50,000 emits at once ≥ 0.75× the minimal batched pipeline (MariaDB)",
    kind: "ratio",
    num: "pipeline.hookline.burst.rate",
    den: "pipeline.minimal.rate",
    min: 0.75,
  },
  {
    id: "burst-vs-bounded",
    label: "The burst at most 10 % slower than 512 emits outstanding (≥ 0.9×)",
    kind: "ratio",
    num: "pipeline.hookline.burst.rate",
    den: "pipeline.hookline.bounded.rate",
    min: 0.9,
  },
  {
    id: "pipeline-logged",
    label: "… with every delivery and attempt logged in all three (all log checks pass)",
    kind: "checks",
    scenarios: ["13"],
  },
  {
    id: "burst-rss",
    label: "A burst of 100,000 emits at once: peak RSS of the emitting process ≤ 300 MB",
    kind: "max",
    key: "burst.rss",
    max: 300,
  },
  {
    id: "e2e-logged",
    label: "… with every delivery and attempt logged (all log checks pass)",
    kind: "checks",
    scenarios: ["3", "8"],
  },
  {
    id: "emit-p50",
    label: "emit p50 ≤ 5 ms on MariaDB at 200 events/s (durable)",
    kind: "max",
    key: "emit.mariadb.durable.p50",
    max: 5,
  },
  {
    id: "workers",
    label: "3 workers ≥ 2.5× one worker against the slow receiver",
    kind: "ratio",
    num: "slow.3w.rate",
    den: "slow.1w.rate",
    min: 2.5,
  },
  {
    id: "backlog-rss",
    label: "Backlog of 100,000: worker peak RSS ≤ 150 MB",
    kind: "max",
    key: "backlog.rss",
    max: 150,
  },
  {
    id: "admin-status",
    label: "Admin: list by status p95 ≤ 20 ms at 1M",
    kind: "max",
    key: "admin.list-status.p95",
    max: 20,
  },
  {
    id: "admin-code",
    label: "Admin: list by event code p95 ≤ 20 ms at 1M",
    kind: "max",
    key: "admin.list-code.p95",
    max: 20,
  },
  {
    id: "admin-subject",
    label: "Admin: list by subject p95 ≤ 20 ms at 1M",
    kind: "max",
    key: "admin.list-subject.p95",
    max: 20,
  },
  {
    id: "admin-get",
    label: "Admin: one delivery with attempts p95 ≤ 20 ms at 1M (list bound applied)",
    kind: "max",
    key: "admin.get.p95",
    max: 20,
  },
  {
    id: "admin-stats",
    label: "Admin: stats over 24 h p95 ≤ 200 ms at 1M",
    kind: "max",
    key: "admin.stats.p95",
    max: 200,
  },
  {
    id: "amqp-vs-http",
    label: "RabbitMQ sink end to end ≥ 0.8× the HTTP sink (MariaDB durable)",
    kind: "ratio",
    num: "sinks.amqp.rate",
    den: "sinks.http.rate",
    min: 0.8,
  },
  {
    id: "nats-vs-http",
    label: "NATS JetStream sink end to end ≥ 0.8× the HTTP sink (MariaDB durable)",
    kind: "ratio",
    num: "sinks.nats.rate",
    den: "sinks.http.rate",
    min: 0.8,
  },
  {
    id: "sinks-logged",
    label: "… with every delivery and attempt logged for each sink (all log checks pass)",
    kind: "checks",
    scenarios: ["9"],
  },
  {
    id: "telemetry-api",
    label: "Telemetry hooks on, no SDK ≥ 0.97× telemetry: false (within 3 %, MariaDB durable)",
    kind: "ratio",
    num: "telemetry.api.rate",
    den: "telemetry.off.rate",
    min: 0.97,
  },
  {
    id: "telemetry-sdk",
    label:
      "Telemetry with an SDK registered (no-op exporter) ≥ 0.9× telemetry: false with the same SDK registered (≤ 10 % slower, MariaDB durable)",
    kind: "ratio",
    num: "telemetry.sdk.rate",
    den: "telemetry.off-sdk.rate",
    min: 0.9,
  },
  {
    id: "ordering",
    label: "Ordering by subject (1,000 subjects) end to end ≥ 0.8× unordered (MariaDB durable)",
    kind: "ratio",
    num: "order.mariadb.subject.rate",
    den: "order.mariadb.none.rate",
    min: 0.8,
  },
  {
    id: "claim-ordered",
    label:
      "The ordered claim query (due SELECT with the ordering probes) among 100,000 pending deliveries p95 ≤ 20 ms (MariaDB)",
    kind: "max",
    key: "claim.mariadb.heads.query.p95",
    max: 20,
  },
  {
    id: "claim-logged",
    label: "… the ordered claim's EXPLAIN shows dlv_subject_order_idx (MariaDB, PostgreSQL)",
    kind: "checks",
    scenarios: ["12"],
  },
];

export interface TargetResult {
  readonly id: string;
  readonly label: string;
  readonly status: "met" | "not met" | "not run" | "reported";
  /** What was achieved: the ratio (median of per-round ratios) or the figure's median. */
  readonly achieved: number | null;
  readonly required: string;
  /** ≥ 1 means met: achieved/required for lower bounds, limit/achieved for upper bounds. */
  readonly margin: number | null;
  readonly perRound?: readonly number[];
}

/**
 * Per-round ratios pair figures measured side by side in the same round, so drift in machine load
 * between rounds cancels out; their median is the ratio that is judged.
 */
function ratioOf(num: FigureSummary, den: FigureSummary): number[] {
  const n = Math.min(num.rounds.length, den.rounds.length);
  return Array.from({ length: n }, (_, i) => num.rounds[i]! / den.rounds[i]!);
}

export function evaluate(results: readonly ScenarioResult[], targets = TARGETS): TargetResult[] {
  const figs = figuresByKey(results);
  return targets.map((t): TargetResult => {
    const base = { id: t.id, label: t.label };
    if (t.kind === "checks") {
      const ran = results.filter((r) => t.scenarios.includes(r.id));
      const checks = ran.flatMap((r) => r.checks);
      if (checks.length === 0)
        return { ...base, status: "not run", achieved: null, required: "all pass", margin: null };
      const passed = checks.filter((c) => c.ok).length;
      const ok = passed === checks.length && ran.every((r) => !r.error);
      return {
        ...base,
        status: ok ? "met" : "not met",
        achieved: passed,
        required: `${checks.length}/${checks.length} pass`,
        margin: passed / checks.length,
      };
    }
    if (t.kind === "report") {
      const num = figs.get(t.num);
      const den = figs.get(t.den);
      if (!num || !den) return { ...base, status: "not run", achieved: null, required: "–", margin: null };
      const perRound = ratioOf(num, den);
      return {
        ...base,
        status: "reported",
        achieved: median(perRound),
        required: "–",
        margin: null,
        perRound,
      };
    }
    if (t.kind === "ratio") {
      const num = figs.get(t.num);
      const den = figs.get(t.den);
      if (!num || !den)
        return { ...base, status: "not run", achieved: null, required: `≥ ${t.min}×`, margin: null };
      const perRound = ratioOf(num, den);
      const achieved = median(perRound);
      return {
        ...base,
        status: achieved >= t.min ? "met" : "not met",
        achieved,
        required: `≥ ${t.min}×`,
        margin: achieved / t.min,
        perRound,
      };
    }
    const f = figs.get(t.key);
    if (!f) return { ...base, status: "not run", achieved: null, required: `≤ ${t.max}`, margin: null };
    return {
      ...base,
      status: f.median <= t.max ? "met" : "not met",
      achieved: f.median,
      required: `≤ ${t.max} ${f.unit}`,
      margin: t.max / f.median,
    };
  });
}
