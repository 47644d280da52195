import type { Check, Figure } from "./scenario.js";
import { median } from "./stats.js";

/** A figure over every round: the median is the number that counts. */
export interface FigureSummary {
  readonly key: string;
  readonly label: string;
  readonly unit: string;
  readonly rounds: readonly number[];
  readonly median: number;
}

export interface ScenarioResult {
  readonly id: string;
  readonly title: string;
  readonly settings: Readonly<Record<string, unknown>>;
  readonly figures: readonly FigureSummary[];
  readonly checks: readonly (Check & { readonly round: number })[];
  readonly info?: Readonly<Record<string, unknown>>;
  /** Set when the scenario failed; its figures cover the rounds that finished. */
  readonly error?: string;
  readonly seconds: number;
}

/** Collects the rounds of one scenario. */
export class ScenarioAccumulator {
  readonly #figures = new Map<string, { meta: Figure; values: number[] }>();
  readonly #checks: (Check & { round: number })[] = [];
  info: Readonly<Record<string, unknown>> | undefined;
  error: string | undefined;
  seconds = 0;

  add(round: number, figures: readonly Figure[], checks: readonly Check[]): void {
    for (const f of figures) {
      const entry = this.#figures.get(f.key) ?? { meta: f, values: [] };
      entry.values.push(f.value);
      this.#figures.set(f.key, entry);
    }
    for (const c of checks) this.#checks.push({ ...c, round });
  }

  summary(id: string, title: string, settings: Readonly<Record<string, unknown>>): ScenarioResult {
    const figures = [...this.#figures.values()].map(({ meta, values }) => ({
      key: meta.key,
      label: meta.label,
      unit: meta.unit,
      rounds: values,
      median: median(values),
    }));
    return {
      id,
      title,
      settings,
      figures,
      checks: this.#checks,
      ...(this.info ? { info: this.info } : {}),
      ...(this.error ? { error: this.error } : {}),
      seconds: Math.round(this.seconds),
    };
  }
}

/** Every figure of a run by key (for targets). */
export function figuresByKey(results: readonly ScenarioResult[]): Map<string, FigureSummary> {
  return new Map(results.flatMap((r) => r.figures.map((f) => [f.key, f] as const)));
}
