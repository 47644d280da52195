import parsePrometheusTextFormat, { type PrometheusFamily } from "parse-prometheus-text-format";

/** A parsed /metrics answer. */
export interface Scrape {
  readonly status: number;
  readonly contentType: string | null;
  readonly text: string;
  readonly families: readonly PrometheusFamily[];
  /** The value of `name` with exactly `labels`, or undefined when there is no such sample. */
  value(name: string, labels: Readonly<Record<string, string>>): number | undefined;
  /** Every `endpoint` label of the samples of `name`. */
  endpoints(name: string): string[];
}

const sameLabels = (a: Readonly<Record<string, string>> = {}, b: Readonly<Record<string, string>>) =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(b).every(([k, v]) => a[k] === v);

/** GET /metrics with `authorization` (if given), parsed when it is a 200. */
export async function scrape(baseUrl: string, authorization?: string): Promise<Scrape> {
  const res = await fetch(`${baseUrl}/metrics`, {
    headers: authorization === undefined ? {} : { authorization },
  });
  const text = await res.text();
  const families = res.status === 200 ? parsePrometheusTextFormat(text) : [];
  const family = (name: string) => families.find((f) => f.name === name);
  return {
    status: res.status,
    contentType: res.headers.get("content-type"),
    text,
    families,
    value(name, labels) {
      const sample = family(name)?.metrics.find((m) => sameLabels(m.labels, labels));
      return sample === undefined ? undefined : Number(sample.value);
    },
    endpoints(name) {
      return (family(name)?.metrics ?? []).map((m) => m.labels?.endpoint ?? "");
    },
  };
}
