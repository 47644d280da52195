import type { Attributes } from "@opentelemetry/api";
import { type DataPoint, MeterProvider, type MetricData, MetricReader } from "@opentelemetry/sdk-metrics";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { classifyResponse } from "../contracts/classify.js";
import type { DeliveryOutcome, DeliveryRequest, Transport } from "../contracts/transport.js";

/** A metric reader that collects only when the test asks. */
class OnDemandReader extends MetricReader {
  protected async onShutdown(): Promise<void> {}
  protected async onForceFlush(): Promise<void> {}
}

/** A real OpenTelemetry SDK in memory: spans end up in `spans()`, metrics come from `collect()`. */
export function otelSdk() {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const reader = new OnDemandReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  return {
    tracerProvider,
    meterProvider,
    exporter,
    /** Finished spans, in the order they ended. */
    spans: (): ReadableSpan[] => exporter.getFinishedSpans(),
    named: (name: string): ReadableSpan[] => exporter.getFinishedSpans().filter((s) => s.name === name),
    /** One collection; every metric of the "@hookline/core" scope by name. */
    async collect(): Promise<Map<string, MetricData>> {
      const { resourceMetrics, errors } = await reader.collect();
      if (errors.length > 0) throw errors[0];
      const out = new Map<string, MetricData>();
      for (const scope of resourceMetrics.scopeMetrics) {
        if (scope.scope.name !== "@hookline/core") continue;
        for (const m of scope.metrics) out.set(m.descriptor.name, m);
      }
      return out;
    },
    async shutdown(): Promise<void> {
      await tracerProvider.shutdown();
      await meterProvider.shutdown();
    },
  };
}

export type OtelSdk = ReturnType<typeof otelSdk>;

/** The data points of `metric` as [attributes, value] pairs (histograms: their count). */
export function points(metric: MetricData | undefined): [Attributes, number][] {
  if (!metric) return [];
  return (metric.dataPoints as DataPoint<unknown>[]).map((p) => {
    const v = p.value as number | { count: number };
    return [p.attributes, typeof v === "number" ? v : v.count];
  });
}

/** A minimal HTTP transport over fetch, so core's tests reach a real receiver on 127.0.0.1. */
export function fetchTransport(): Transport {
  return {
    name: "fetch",
    async send(req: DeliveryRequest, { signal }): Promise<DeliveryOutcome> {
      const started = performance.now();
      try {
        const res = await fetch(req.url, { method: "POST", headers: req.headers, body: req.body, signal });
        const body = await res.text();
        const headers = Object.fromEntries(res.headers);
        return classifyResponse({
          status: res.status,
          headers,
          body,
          durationMs: performance.now() - started,
        });
      } catch (error) {
        return {
          kind: "retryable",
          durationMs: performance.now() - started,
          error: { code: "HOOKLINE_NETWORK_ERROR", message: (error as Error).message },
        };
      }
    },
  };
}

/** A sink for `amqp:` URLs that accepts every publish (its attempts are PRODUCER spans). */
export function queueTransport(): Transport & { readonly sent: DeliveryRequest[] } {
  const sent: DeliveryRequest[] = [];
  return {
    name: "queue",
    schemes: ["amqp"],
    sent,
    async send(req) {
      sent.push(req);
      return { kind: "success", durationMs: 1 };
    },
  };
}
