import {
  type Attributes,
  type Context,
  context,
  type Exception,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  type SpanOptions,
  SpanStatusCode,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import type { StoredTraceContext } from "../contracts/store.js";
import type { DeliveryOutcome } from "../contracts/transport.js";
import type { AttemptJob } from "../dispatch/attempt-job.js";
import type { EmitResult } from "../dispatch/emit-options.js";
import { redactUrl } from "../dispatch/redact.js";
import type { ResolvedEndpoint } from "../endpoints/endpoint-config.js";
import { isHooklineError } from "../errors/hookline-error.js";
import type { HooklineMetrics } from "./metrics.js";
import { parseTraceContext, toStoredTraceContext } from "./w3c-trace-context.js";

/** Instrumentation scope of every span and instrument core makes. */
export const TELEMETRY_SCOPE_NAME = "@hookline/core";

/**
 * One emit() call: its `hookline.emit` span, a child of the caller's active context, and its
 * start time for `hookline.emit.duration`. Without a tracer (no SDK behind the global provider),
 * only the timing: no span, and no context for the first attempts to hold while they wait.
 */
export class EmitTrace {
  /** The caller's context with the emit span in it: parent of the first attempts sent from here. */
  readonly context: Context | undefined;
  /** The emit span's W3C context for the log; null when there is no valid span context (no SDK). */
  readonly traceContext: StoredTraceContext | null;
  readonly #span: Span | undefined;
  readonly #code: string;
  readonly #metrics: HooklineMetrics;
  readonly #startedAt = performance.now();

  constructor(tracer: Tracer | undefined, options: SpanOptions, code: string, metrics: HooklineMetrics) {
    this.#code = code;
    this.#metrics = metrics;
    if (tracer === undefined) {
      this.context = undefined;
      this.traceContext = null;
      return;
    }
    const active = context.active();
    this.#span = tracer.startSpan("hookline.emit", options, active);
    this.context = trace.setSpan(active, this.#span);
    this.traceContext = toStoredTraceContext(this.#span.spanContext());
  }

  /**
   * End the span (and time the emit) when `emitting` settles; passes its result or error on.
   * Nothing runs with the emit span active: the emit's one child is its first attempts (given
   * `context` as their parent), and the store's insert is shared by the emits of a batch.
   */
  end(emitting: Promise<EmitResult>): Promise<EmitResult> {
    return emitting.then(
      (result) => {
        if (!result.duplicate) this.#metrics.emitted(this.#code);
        if (this.#span?.isRecording()) {
          this.#span.setAttribute("hookline.event.id", result.eventId);
          this.#span.setAttribute("hookline.deliveries", result.duplicate ? 0 : result.deliveries.length);
        }
        this.#ended();
        return result;
      },
      (error: unknown) => {
        if (this.#span?.isRecording()) {
          this.#span.recordException(error as Exception);
          if (isHooklineError(error)) this.#span.setAttribute("hookline.error.code", error.code);
          this.#span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message });
        }
        this.#ended();
        throw error;
      },
    );
  }

  #ended(): void {
    this.#metrics.emitDuration((performance.now() - this.#startedAt) / 1000);
    this.#span?.end();
  }
}

/** What every attempt span of one endpoint shares, worked out once. */
interface EndpointSpans {
  readonly http: boolean;
  /** Options of a span with a parent: kind and the endpoint's fixed attributes. */
  readonly child: SpanOptions;
  /** Options of a root span without a link. */
  readonly root: SpanOptions;
}

/** Starts and ends `hookline.attempt` spans. */
export class AttemptTracer {
  readonly #tracer: Tracer;
  // Resolved endpoints are frozen and live as long as the config: one entry each.
  readonly #endpoints = new WeakMap<ResolvedEndpoint, EndpointSpans>();

  constructor(tracer: Tracer) {
    this.#tracer = tracer;
  }

  /**
   * Attempt 1 is a child of the emit span: in memory when emit() launched it, else through the
   * stored traceparent as a remote parent. Later attempts and replays start a new trace linked
   * to the stored context (a retry hours later is not part of the emit's request).
   */
  start(job: AttemptJob, ep: ResolvedEndpoint): Span {
    const spans = this.#spans(ep);
    let span: Span;
    if (job.parentContext !== undefined) {
      span = this.#tracer.startSpan("hookline.attempt", spans.child, job.parentContext);
    } else {
      const stored = parseTraceContext(job.traceContext);
      if (stored === undefined) {
        span = this.#tracer.startSpan("hookline.attempt", spans.root, ROOT_CONTEXT);
      } else if (job.attempt === 1 && job.replay === 0) {
        span = this.#tracer.startSpan(
          "hookline.attempt",
          spans.child,
          trace.setSpanContext(ROOT_CONTEXT, stored),
        );
      } else {
        const linked = { ...spans.root, links: [{ context: stored }] };
        span = this.#tracer.startSpan("hookline.attempt", linked, ROOT_CONTEXT);
      }
    }
    if (span.isRecording()) {
      span.setAttribute("hookline.delivery.id", job.deliveryId);
      span.setAttribute("hookline.attempt.number", job.attempt);
    }
    return span;
  }

  /** The context the send runs in: the attempt span, over the emit's context when there is one. */
  contextOf(span: Span, job: AttemptJob): Context {
    return trace.setSpan(job.parentContext ?? ROOT_CONTEXT, span);
  }

  end(span: Span, ep: ResolvedEndpoint, outcome: DeliveryOutcome): void {
    if (span.isRecording()) {
      span.setAttribute("hookline.outcome", outcome.kind);
      if (outcome.status !== undefined && this.#spans(ep).http) {
        span.setAttribute("http.response.status_code", outcome.status);
      }
      if (outcome.kind !== "success") {
        if (outcome.error) span.setAttribute("hookline.error.code", outcome.error.code);
        span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.error?.message ?? outcome.kind });
      }
    }
    span.end();
  }

  #spans(ep: ResolvedEndpoint): EndpointSpans {
    let spans = this.#endpoints.get(ep);
    if (spans === undefined) {
      spans = endpointSpans(ep);
      this.#endpoints.set(ep, spans);
    }
    return spans;
  }
}

/** CLIENT with the HTTP attributes for an http(s) endpoint; PRODUCER for a queue or stream. */
function endpointSpans(ep: ResolvedEndpoint): EndpointSpans {
  const url = new URL(ep.url);
  const http = url.protocol === "http:" || url.protocol === "https:";
  const attributes: Attributes = { "hookline.endpoint.id": ep.id };
  if (http) {
    attributes["http.request.method"] = "POST";
    // Semantic conventions give IPv6 addresses without the URL's brackets.
    attributes["server.address"] = url.hostname.replace(/^\[(.*)\]$/, "$1");
    attributes["server.port"] = url.port === "" ? (url.protocol === "https:" ? 443 : 80) : Number(url.port);
    attributes["url.full"] = redactUrl(ep.url);
  }
  const kind = http ? SpanKind.CLIENT : SpanKind.PRODUCER;
  Object.freeze(attributes);
  return {
    http,
    child: Object.freeze({ kind, attributes }),
    root: Object.freeze({ kind, attributes, root: true }),
  };
}
