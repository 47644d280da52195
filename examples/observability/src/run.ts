import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHookline, type DeliveryDetail } from "@hookline/core";
import { buyerEvents } from "@hookline/events-buyer";
import { knexStore } from "@hookline/store-knex";
import { httpTransport } from "@hookline/transport-http";
import { startDemoReceiver } from "@hookline-examples/quickstart/receiver";
import { waitUntilSettled } from "@hookline-examples/quickstart/run";
import { SpanKind, trace } from "@opentelemetry/api";
import type { CollectionResult } from "@opentelemetry/sdk-metrics";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { pino } from "pino";
import { endpoints, secretByPath } from "./endpoints.js";
import { registerOtelSdk } from "./otel-sdk.js";
import { printMetrics, printSpans } from "./print-telemetry.js";
import { type ReceivedTraceContext, watchTraceHeaders } from "./trace-headers.js";

/** Options of the observability run. */
export interface ObservabilityOptions {
  /** Where the report goes. @default console.log */
  readonly print?: (line: string) => void;
  /** Also dump every span in full with the SDK's ConsoleSpanExporter. @default false */
  readonly consoleSpans?: boolean;
}

/** What the run logged, recorded and received. */
export interface ObservabilityResult {
  readonly deliveries: DeliveryDetail[];
  readonly spans: ReadableSpan[];
  readonly metrics: CollectionResult;
  /** Every request the receiver got, in order, with its traceparent (if any). */
  readonly received: ReceivedTraceContext[];
}

/**
 * The quickstart's three buyer events, emitted while handling an "incoming request", with the
 * OpenTelemetry SDK and a pino logger registered as an application would: prints what the
 * receiver got, the spans as trees and every metric.
 */
export async function runObservability(opts: ObservabilityOptions = {}): Promise<ObservabilityResult> {
  const print = opts.print ?? console.log;
  const sdk = registerOtelSdk({ consoleSpans: opts.consoleSpans ?? false });
  const received: ReceivedTraceContext[] = [];
  const unwatch = watchTraceHeaders((r) => {
    received.push(r);
    print(`receiver got POST ${r.path}  traceparent: ${r.traceparent ?? "(none)"}`);
  });
  const dir = await mkdtemp(join(tmpdir(), "hookline-observability-"));
  try {
    const { deliveries, metrics } = await emitAndSettle(join(dir, "log.sqlite"), print, sdk.collectMetrics);
    const spans = sdk.finishedSpans();
    printSpans(spans, print);
    printMetrics(metrics, print);
    return { deliveries, spans, metrics, received };
  } finally {
    unwatch();
    await sdk.shutdown();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Emit the three buyer events under a request span; wait until every delivery has settled. */
async function emitAndSettle(
  dbFile: string,
  print: (line: string) => void,
  collectMetrics: () => Promise<CollectionResult>,
): Promise<{ deliveries: DeliveryDetail[]; metrics: CollectionResult }> {
  // pino as it is; each line carries the active span's ids, so logs and traces join up.
  const logger = pino(
    { base: null, timestamp: false, mixin: activeSpanIds },
    { write: (line: string) => print(`log ${line.trimEnd()}`) },
  );
  const receiver = await startDemoReceiver(secretByPath);
  const hooks = createHookline({
    plugins: [buyerEvents()],
    endpoints,
    env: { RECEIVER_ORIGIN: receiver.origin },
    store: knexStore({
      knex: { client: "better-sqlite3", connection: { filename: dbFile }, useNullAsDefault: true },
    }),
    // The SSRF guard blocks loopback by default; the demo receiver is allowlisted explicitly.
    transport: httpTransport({ ssrf: { allow: ["127.0.0.1/32"] } }),
    worker: { pollIntervalMs: 200 },
    logger,
  });
  try {
    await hooks.start();
    // The application's own span for the request that causes the events: emit() runs under
    // it, so each hookline.emit span is its child.
    const ids = await trace
      .getTracer("shop-api")
      .startActiveSpan("POST /buyers/0000/credits", { kind: SpanKind.SERVER }, async (span) => {
        try {
          const buyer = { buyerId: "0000", postCodeList: ["AB", "BN", "GN"] };
          const emitted = [
            await hooks.emit("user_credits_zero", { ...buyer, businessName: "test", remainingCredits: 0 }),
            await hooks.emit("post_code_change", { ...buyer, businessName: "test" }),
            await hooks.emit("add_credits", { ...buyer, buyerName: "test", topUpAmount: 100 }),
          ];
          const ids = emitted.flatMap((r) => r.deliveries.map((d) => d.id));
          logger.info({ events: emitted.length, deliveries: ids.length }, "buyer events emitted");
          return ids;
        } finally {
          span.end();
        }
      });
    const deliveries = await waitUntilSettled(hooks.store, ids, 30_000);
    // Read while the store is open: the backlog gauges ask it when they are collected.
    return { deliveries, metrics: await collectMetrics() };
  } finally {
    // stop() waits for attempts in flight, so every attempt span has ended after it.
    await hooks.stop();
    await receiver.close();
  }
}

/** The active span's ids for a log line, under the names OpenTelemetry's log data model uses. */
function activeSpanIds(): Record<string, string> {
  const ctx = trace.getActiveSpan()?.spanContext();
  return ctx ? { trace_id: ctx.traceId, span_id: ctx.spanId } : {};
}
