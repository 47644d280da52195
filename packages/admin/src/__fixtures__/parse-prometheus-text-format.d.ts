// The package ships no types; only what the tests read of its answer is declared.
declare module "parse-prometheus-text-format" {
  /** One sample of a gauge, counter or untyped family; values stay strings as written. */
  export interface PrometheusSample {
    readonly value: string;
    readonly labels?: Readonly<Record<string, string>>;
  }

  /** One metric family: its HELP text, TYPE (upper case, e.g. "GAUGE") and samples. */
  export interface PrometheusFamily {
    readonly name: string;
    readonly help: string;
    readonly type: string;
    readonly metrics: readonly PrometheusSample[];
  }

  export default function parsePrometheusTextFormat(text: string): PrometheusFamily[];
}
