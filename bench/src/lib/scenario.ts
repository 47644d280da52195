/** One measured number of one round. */
export interface Figure {
  /** Stable id used by targets and the JSON report, e.g. "e2e.mariadb.durable.rate". */
  readonly key: string;
  readonly label: string;
  readonly unit: string;
  readonly value: number;
}

/** A correctness check of one round (e.g. every delivery logged with its attempt). */
export interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** What one round of a scenario measured. */
export interface RoundResult {
  readonly figures: readonly Figure[];
  readonly checks: readonly Check[];
  /** Extra structured data kept from the last round (e.g. EXPLAIN plans). */
  readonly info?: Readonly<Record<string, unknown>>;
}

export interface RunContext {
  /** Smoke sizes (a few hundred events) instead of the full ones. */
  readonly quick: boolean;
  /** 1-based round number and the total. */
  readonly round: number;
  readonly rounds: number;
  /** Rebuild reusable seeds (scenario 7). */
  readonly reseed: boolean;
  log(message: string): void;
}

/**
 * A benchmark scenario. The runner calls setup once, round once per round (rounds of every
 * scenario are interleaved, so comparisons are measured minutes apart at most), then teardown.
 */
export interface Scenario {
  readonly id: string;
  readonly title: string;
  /** The sizes and options used, recorded with the results. */
  settings(quick: boolean): Readonly<Record<string, unknown>>;
  setup?(ctx: RunContext): Promise<void>;
  round(ctx: RunContext): Promise<RoundResult>;
  teardown?(): Promise<void>;
}

export const figure = (key: string, label: string, unit: string, value: number): Figure => ({
  key,
  label,
  unit,
  value,
});
