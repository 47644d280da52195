import { type Attributes, SpanKind } from "@opentelemetry/api";
import { type CollectionResult, DataPointType, type MetricData } from "@opentelemetry/sdk-metrics";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";

// Attributes worth a glance in a one-line summary; ids and URLs are in the full span.
const SHOWN = [
  "hookline.event.code",
  "hookline.deliveries",
  "hookline.endpoint.id",
  "hookline.attempt.number",
  "hookline.outcome",
  "hookline.error.code",
  "http.response.status_code",
];

const attrs = (a: Attributes, keys?: readonly string[]): string =>
  (keys ?? Object.keys(a))
    .filter((k) => a[k] !== undefined)
    .map((k) => `${k}=${String(a[k])}`)
    .join(" ");

/**
 * Print the spans as trees, one per trace: each span under its parent, with its kind, span id and
 * key attributes; a span link shows as "↪ link" with the linked trace and span.
 */
export function printSpans(spans: readonly ReadableSpan[], print: (line: string) => void): void {
  const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
  const children = new Map<string, ReadableSpan[]>();
  const roots: ReadableSpan[] = [];
  for (const s of [...spans].sort((x, y) => compareTime(x.startTime, y.startTime))) {
    const parent = s.parentSpanContext?.spanId;
    if (parent !== undefined && byId.has(parent)) children.set(parent, [...(children.get(parent) ?? []), s]);
    else roots.push(s);
  }
  const line = (s: ReadableSpan, depth: number) => {
    const pad = "  ".repeat(depth + 1);
    // A parent that is not among these spans came from elsewhere (a stored or received context).
    const remote = s.parentSpanContext && !byId.has(s.parentSpanContext.spanId) ? " (remote parent)" : "";
    print(
      `${pad}${s.name} [${SpanKind[s.kind].toLowerCase()}] span ${s.spanContext().spanId}${remote} ${attrs(s.attributes, SHOWN)}`.trimEnd(),
    );
    for (const l of s.links) {
      const name = byId.get(l.context.spanId)?.name ?? "a span";
      print(`${pad}  ↪ link to ${name}: trace ${l.context.traceId} span ${l.context.spanId}`);
    }
    for (const c of children.get(s.spanContext().spanId) ?? []) line(c, depth + 1);
  };
  print(`\nSpans (${spans.length}), by trace`);
  let trace = "";
  for (const r of roots) {
    if (r.spanContext().traceId !== trace) {
      trace = r.spanContext().traceId;
      print(`trace ${trace}`);
    }
    line(r, 0);
  }
}

/** Print every metric data point on one line: name, instrument, unit, attributes, value. */
export function printMetrics(result: CollectionResult, print: (line: string) => void): void {
  print("\nMetrics");
  for (const scope of result.resourceMetrics.scopeMetrics) {
    for (const m of scope.metrics) {
      const unit = m.descriptor.unit ? `, ${m.descriptor.unit}` : "";
      print(`  ${m.descriptor.name} (${kindOf(m)}${unit})`);
      for (const p of points(m)) print(`    ${p}`);
    }
  }
}

/** The instrument, as far as its data tells: a sum is a counter when it only goes up. */
function kindOf(m: MetricData): string {
  if (m.dataPointType === DataPointType.SUM) return m.isMonotonic ? "counter" : "up-down counter";
  return m.dataPointType === DataPointType.GAUGE ? "gauge" : "histogram";
}

function points(m: MetricData): string[] {
  if (m.dataPointType === DataPointType.HISTOGRAM)
    return m.dataPoints.map(
      (p) => `${attrs(p.attributes) || "-"}: count ${p.value.count}, sum ${(p.value.sum ?? 0).toFixed(4)}`,
    );
  if (m.dataPointType === DataPointType.EXPONENTIAL_HISTOGRAM)
    return m.dataPoints.map((p) => `${attrs(p.attributes) || "-"}: count ${p.value.count}`);
  return m.dataPoints.map((p) => `${attrs(p.attributes) || "-"}: ${p.value}`);
}

const compareTime = (a: readonly [number, number], b: readonly [number, number]) =>
  a[0] - b[0] || a[1] - b[1];
