import {
  type Context,
  context,
  createNoopMeter,
  metrics,
  ProxyTracerProvider,
  type Span,
  SpanKind,
  type SpanOptions,
  trace,
} from "@opentelemetry/api";
import type { DeliveryStore } from "../contracts/store.js";
import type { DeliveryOutcome, DeliveryRequest, Transport } from "../contracts/transport.js";
import type { AttemptJob } from "../dispatch/attempt-job.js";
import type { ResolvedEndpoint } from "../endpoints/endpoint-config.js";
import type { Clock } from "../util/clock.js";
import { HOOKLINE_VERSION } from "../version.js";
import { BacklogGauge } from "./backlog-gauge.js";
import { type CompletedStatus, HooklineMetrics } from "./metrics.js";
import type { ResolvedTelemetry } from "./telemetry-options.js";
import { AttemptTracer, EmitTrace, TELEMETRY_SCOPE_NAME } from "./tracing.js";

/**
 * The hooks the delivery parts call. Two implementations: NO_TELEMETRY (`telemetry: false`),
 * whose hooks do nothing and never touch the OpenTelemetry API, and one recording spans and
 * metrics through the configured providers.
 */
export interface Telemetry {
  /** Begin an emit (span and timer); undefined when telemetry is off or nothing would record it. */
  startEmit(code: string): EmitTrace | undefined;
  /**
   * The OpenTelemetry context active now (undefined when telemetry is off), for inCaller(): an
   * emit that waits for room starts in its caller's context, not in that of the emit whose end
   * let it in. Kept as is, no closure, as thousands of emits may wait at once.
   */
  callerContext(): unknown;
  /** Run `fn` in `caller`, a context callerContext() returned. */
  inCaller<T>(caller: unknown, fn: () => T): T;
  /** Begin an attempt's span; undefined when telemetry is off or no SDK would record it. */
  startAttempt(job: AttemptJob, ep: ResolvedEndpoint): Span | undefined;
  /**
   * Send, with the attempt span active; the attempt counts as in flight from here until
   * endAttempt(), which must follow every send() (also one that threw).
   */
  send(
    span: Span | undefined,
    job: AttemptJob,
    transport: Transport,
    req: DeliveryRequest,
    opts: { signal: AbortSignal },
  ): Promise<DeliveryOutcome>;
  /** The send is over: no longer in flight; end the span, count the attempt and its duration. */
  endAttempt(span: Span | undefined, job: AttemptJob, ep: ResolvedEndpoint, outcome: DeliveryOutcome): void;
  /** A delivery's end state was recorded in the log. */
  deliveryCompleted(endpointId: string, status: CompletedStatus): void;
  /** Remove what observes the instance (the backlog gauges); stop() calls it. */
  close(): void;
}

const noop = (): void => {};
const MAX_CACHED_CODES = 1024;

/** `telemetry: false`: a null object, so the hot path pays one call and nothing else. */
export const NO_TELEMETRY: Telemetry = Object.freeze({
  startEmit: () => undefined,
  callerContext: () => undefined,
  inCaller: <T>(_caller: unknown, fn: () => T) => fn(),
  startAttempt: () => undefined,
  send: (
    _span: unknown,
    _job: unknown,
    transport: Transport,
    req: DeliveryRequest,
    opts: { signal: AbortSignal },
  ) => transport.send(req, opts),
  endAttempt: noop,
  deliveryCompleted: noop,
  close: noop,
});

/** What the recording implementation reads besides the providers. */
export interface TelemetryDeps {
  readonly store: DeliveryStore;
  readonly clock: Clock;
  /** Every endpoint configured in this process (the backlog gauges observe these). */
  readonly endpointIds: readonly string[];
  /** Where a failed backlog read goes (the `error` lifecycle event). */
  readonly report: (error: unknown, context: string) => void;
}

/** The instance's telemetry: NO_TELEMETRY when off, else instruments made once, now. */
export function createTelemetry(options: ResolvedTelemetry, deps: TelemetryDeps): Telemetry {
  return options === false ? NO_TELEMETRY : new RecordingTelemetry(options, deps);
}

/** What the API's global proxy hands spans to while no SDK is registered behind it. */
const NO_SDK = new ProxyTracerProvider().getDelegate();

class RecordingTelemetry implements Telemetry {
  readonly #emitOptions = new Map<string, SpanOptions>();
  readonly #tracer: ReturnType<typeof trace.getTracer>;
  /**
   * The global provider when it is the API's proxy: an SDK may register behind it at any time,
   * so whether spans would record is asked per emit and per attempt, not once.
   */
  readonly #proxy: ProxyTracerProvider | undefined;
  /** No meter provider: the instruments record nothing, so an emit need not be timed. */
  readonly #metricsOff: boolean;
  readonly #attempts: AttemptTracer;
  readonly #metrics: HooklineMetrics;
  readonly #backlog: BacklogGauge;

  constructor(options: Exclude<ResolvedTelemetry, false>, deps: TelemetryDeps) {
    const tracerProvider = options.tracerProvider ?? trace.getTracerProvider();
    const meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(
      TELEMETRY_SCOPE_NAME,
      HOOKLINE_VERSION,
    );
    this.#proxy = tracerProvider instanceof ProxyTracerProvider ? tracerProvider : undefined;
    this.#metricsOff = meter === createNoopMeter();
    this.#tracer = tracerProvider.getTracer(TELEMETRY_SCOPE_NAME, HOOKLINE_VERSION);
    this.#attempts = new AttemptTracer(this.#tracer);
    this.#metrics = new HooklineMetrics(meter);
    this.#backlog = new BacklogGauge({
      meter,
      store: deps.store,
      clock: deps.clock,
      endpointIds: deps.endpointIds,
      report: (error) => deps.report(error, "reading the backlog for the hookline.backlog gauges"),
    });
  }

  /**
   * Without an SDK every span would be a non-recording one and its context invalid: none is made,
   * and no context is kept per delivery (an emit burst may hold thousands of first attempts).
   */
  #tracing(): boolean {
    return this.#proxy === undefined || this.#proxy.getDelegate() !== NO_SDK;
  }

  startEmit(code: string): EmitTrace | undefined {
    const tracing = this.#tracing();
    if (!tracing && this.#metricsOff) return undefined;
    let options = this.#emitOptions.get(code);
    if (options === undefined) {
      options = Object.freeze({
        kind: SpanKind.PRODUCER,
        attributes: Object.freeze({ "hookline.event.code": code }),
      });
      // Bounded: a caller may pass any string as the code (it is refused, but traced first).
      if (this.#emitOptions.size < MAX_CACHED_CODES) this.#emitOptions.set(code, options);
    }
    return new EmitTrace(tracing ? this.#tracer : undefined, options, code, this.#metrics);
  }

  callerContext(): Context {
    return context.active();
  }

  inCaller<T>(caller: unknown, fn: () => T): T {
    return context.with(caller as Context, fn);
  }

  startAttempt(job: AttemptJob, ep: ResolvedEndpoint): Span | undefined {
    return this.#tracing() ? this.#attempts.start(job, ep) : undefined;
  }

  // Not async, and the send is counted out in endAttempt(), which the runner calls after every
  // send however it ended: no promise of its own per attempt.
  send(
    span: Span | undefined,
    job: AttemptJob,
    transport: Transport,
    req: DeliveryRequest,
    opts: { signal: AbortSignal },
  ): Promise<DeliveryOutcome> {
    this.#metrics.sendStarted();
    if (span === undefined) return transport.send(req, opts);
    return context.with(this.#attempts.contextOf(span, job), transport.send, transport, req, opts);
  }

  endAttempt(span: Span | undefined, job: AttemptJob, ep: ResolvedEndpoint, outcome: DeliveryOutcome): void {
    this.#metrics.sendEnded();
    if (span !== undefined) this.#attempts.end(span, ep, outcome);
    this.#metrics.attempt(job.endpointId, outcome.kind, outcome.error?.code, outcome.durationMs);
  }

  deliveryCompleted(endpointId: string, status: CompletedStatus): void {
    this.#metrics.completed(endpointId, status);
  }

  close(): void {
    this.#backlog.close();
  }
}
