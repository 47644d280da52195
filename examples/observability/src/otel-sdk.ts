import { context, metrics, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { type CollectionResult, MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import {
  BasicTracerProvider,
  ConsoleSpanExporter,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  type SpanProcessor,
} from "@opentelemetry/sdk-trace-base";

/**
 * A reader collected on demand: the example reads its metrics once, at the end. A service would
 * use a PeriodicExportingMetricReader with an OTLP or Prometheus exporter instead.
 */
class OnDemandReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/** The SDK as the application registered it, with handles on what it recorded. */
export interface RegisteredSdk {
  /** Every span that has ended so far. */
  finishedSpans(): ReadableSpan[];
  /** Read every instrument now (observable gauges are called back during this). */
  collectMetrics(): Promise<CollectionResult>;
  /** Flush and unregister the providers and the context manager. */
  shutdown(): Promise<void>;
}

/**
 * Register the OpenTelemetry SDK globally, as an application does at startup: Hookline uses the
 * global providers of @opentelemetry/api unless its `telemetry` option names others. Spans are
 * kept in memory for the example's summary; `consoleSpans` also dumps each one as it ends.
 */
export function registerOtelSdk(opts: { readonly consoleSpans?: boolean } = {}): RegisteredSdk {
  // Without a context manager there is no "active span" across awaits, so emit() would not see
  // the request span it runs under.
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);

  const spans = new InMemorySpanExporter();
  const spanProcessors: SpanProcessor[] = [new SimpleSpanProcessor(spans)];
  if (opts.consoleSpans) spanProcessors.push(new SimpleSpanProcessor(new ConsoleSpanExporter()));
  const tracerProvider = new BasicTracerProvider({ spanProcessors });
  trace.setGlobalTracerProvider(tracerProvider);

  const reader = new OnDemandReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  metrics.setGlobalMeterProvider(meterProvider);

  return {
    finishedSpans: () => spans.getFinishedSpans(),
    collectMetrics: () => reader.collect(),
    async shutdown() {
      await tracerProvider.shutdown();
      await meterProvider.shutdown();
      trace.disable();
      metrics.disable();
      context.disable();
    },
  };
}
