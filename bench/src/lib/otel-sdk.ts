import { type Context, context, metrics, ROOT_CONTEXT, TraceFlags, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import {
  type CollectionResult,
  DataPointType,
  MeterProvider,
  MetricReader,
} from "@opentelemetry/sdk-metrics";
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from "@opentelemetry/sdk-trace-base";

/**
 * A traced service's request context, as its HTTP server instrumentation makes it active around
 * a request handler that emits: the trace the request came in with (a sampled remote parent).
 * With no SDK registered, running in it costs nothing (the API's no-op context manager).
 */
export const CALLER_REQUEST_CONTEXT: Context = trace.setSpanContext(ROOT_CONTEXT, {
  traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
  spanId: "00f067aa0ba902b7",
  traceFlags: TraceFlags.SAMPLED,
  isRemote: true,
});

/** A reader collected once, after the timed window (a periodic one would not fire within it). */
class OnDemandReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/** An SDK whose exports cost nothing beyond the SDK's own work: what the instrumentation costs. */
export interface NoopExportSdk {
  readonly tracerProvider: BasicTracerProvider;
  readonly meterProvider: MeterProvider;
  /** Flush the span processor; what reached the exporter and the metrics' current values. */
  collect(): Promise<{ spans: number; metrics: CollectionResult }>;
  /** Shut the providers down and unregister them and the context manager. */
  close(): Promise<void>;
}

/**
 * The SDK registered as an application registers it: the AsyncLocalStorage context manager and
 * both providers installed globally in @opentelemetry/api (BatchSpanProcessor with its defaults,
 * a MeterProvider with a reader), but with an exporter that reports success at once, so a figure
 * measures the SDK and Hookline's hooks, not a collector. Registration is global: close()
 * unregisters everything, so the next run without an SDK runs without one.
 */
export function noopExportSdk(): NoopExportSdk {
  let spans = 0;
  const exporter: SpanExporter = {
    export(batch, done) {
      spans += batch.length;
      done({ code: 0 }); // ExportResultCode.SUCCESS
    },
    shutdown: async () => {},
  };
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] });
  const reader = new OnDemandReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const registered = [
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable()),
    trace.setGlobalTracerProvider(tracerProvider),
    metrics.setGlobalMeterProvider(meterProvider),
  ];
  if (registered.includes(false)) {
    unregister();
    throw new Error("an OpenTelemetry SDK is registered already (a run did not close its own)");
  }
  return {
    tracerProvider,
    meterProvider,
    async collect() {
      await tracerProvider.forceFlush();
      return { spans, metrics: await reader.collect() };
    },
    async close() {
      unregister();
      await tracerProvider.shutdown();
      await meterProvider.shutdown();
    },
  };
}

function unregister(): void {
  context.disable();
  trace.disable();
  metrics.disable();
}

/** The sum of a counter's data points whose attributes include `where`; 0 if it was not recorded. */
export function counterSum(
  result: CollectionResult,
  name: string,
  where: Readonly<Record<string, string>> = {},
): number {
  let sum = 0;
  for (const scope of result.resourceMetrics.scopeMetrics)
    for (const m of scope.metrics) {
      if (m.descriptor.name !== name || m.dataPointType !== DataPointType.SUM) continue;
      for (const p of m.dataPoints)
        if (Object.entries(where).every(([k, v]) => p.attributes[k] === v)) sum += p.value;
    }
  return sum;
}
