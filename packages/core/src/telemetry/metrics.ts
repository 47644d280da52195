import type { Attributes, Counter, Histogram, Meter, UpDownCounter } from "@opentelemetry/api";
import type { OutcomeKind } from "../contracts/transport.js";

/** A delivery's end state, as `hookline.deliveries.completed` counts it. */
export type CompletedStatus = "succeeded" | "failed" | "cancelled";

// Seconds, from 5 ms to 10 s: the OpenTelemetry HTTP client duration buckets. The SDK's default
// buckets are meant for milliseconds and would put every attempt in the first one.
const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
const NO_ATTRIBUTES: Attributes = Object.freeze({});

/**
 * The instance's instruments, made once. Attribute objects are cached per endpoint, outcome,
 * error code and status (all bounded by the configuration), so recording allocates nothing.
 */
export class HooklineMetrics {
  readonly #emitted: Counter;
  readonly #emitDuration: Histogram;
  readonly #attempts: Counter;
  readonly #attemptDuration: Histogram;
  readonly #completed: Counter;
  readonly #inflight: UpDownCounter;
  readonly #byCode = new Map<string, Attributes>();
  readonly #byEndpoint = new Map<string, EndpointAttributes>();

  constructor(meter: Meter) {
    this.#emitted = meter.createCounter("hookline.events.emitted", {
      description: "Events stored by emit() (duplicates of an idempotency key not counted)",
    });
    this.#emitDuration = meter.createHistogram("hookline.emit.duration", {
      description: "How long emit() took, from the call until it resolved or rejected",
      unit: "s",
      advice: { explicitBucketBoundaries: SECONDS_BUCKETS },
    });
    this.#attempts = meter.createCounter("hookline.attempts", {
      description: "Delivery attempts sent, by outcome",
    });
    this.#attemptDuration = meter.createHistogram("hookline.attempt.duration", {
      description: "How long each attempt's send took",
      unit: "s",
      advice: { explicitBucketBoundaries: SECONDS_BUCKETS },
    });
    this.#completed = meter.createCounter("hookline.deliveries.completed", {
      description: "Deliveries that reached an end state (recorded in the log)",
    });
    this.#inflight = meter.createUpDownCounter("hookline.inflight", {
      description: "Attempts being sent now",
    });
  }

  emitted(code: string): void {
    let attrs = this.#byCode.get(code);
    if (attrs === undefined) {
      attrs = Object.freeze({ "hookline.event.code": code });
      this.#byCode.set(code, attrs);
    }
    this.#emitted.add(1, attrs);
  }

  emitDuration(seconds: number): void {
    this.#emitDuration.record(seconds, NO_ATTRIBUTES);
  }

  sendStarted(): void {
    this.#inflight.add(1, NO_ATTRIBUTES);
  }

  sendEnded(): void {
    this.#inflight.add(-1, NO_ATTRIBUTES);
  }

  attempt(endpointId: string, kind: OutcomeKind, errorCode: string | undefined, durationMs: number): void {
    const ep = this.#endpoint(endpointId);
    this.#attempts.add(1, kind === "success" ? ep.byKind.success : failureAttributes(ep, kind, errorCode));
    this.#attemptDuration.record(durationMs / 1000, ep.byKind[kind]);
  }

  completed(endpointId: string, status: CompletedStatus): void {
    this.#completed.add(1, this.#endpoint(endpointId).byStatus[status]);
  }

  #endpoint(endpointId: string): EndpointAttributes {
    let ep = this.#byEndpoint.get(endpointId);
    if (ep === undefined) {
      ep = endpointAttributes(endpointId);
      this.#byEndpoint.set(endpointId, ep);
    }
    return ep;
  }
}

/** Every attribute set recorded for one endpoint; failures by error code are added as they occur. */
interface EndpointAttributes {
  readonly byKind: Readonly<Record<OutcomeKind, Attributes>>;
  readonly byStatus: Readonly<Record<CompletedStatus, Attributes>>;
  readonly retryable: Map<string, Attributes>;
  readonly permanent: Map<string, Attributes>;
}

function failureAttributes(
  ep: EndpointAttributes,
  kind: Exclude<OutcomeKind, "success">,
  errorCode: string | undefined,
): Attributes {
  if (errorCode === undefined) return ep.byKind[kind];
  const byCode = kind === "retryable" ? ep.retryable : ep.permanent;
  let attrs = byCode.get(errorCode);
  if (attrs === undefined) {
    attrs = Object.freeze({ ...ep.byKind[kind], "hookline.error.code": errorCode });
    byCode.set(errorCode, attrs);
  }
  return attrs;
}

function endpointAttributes(id: string): EndpointAttributes {
  const outcome = (kind: OutcomeKind) =>
    Object.freeze({ "hookline.endpoint.id": id, "hookline.outcome": kind });
  const status = (s: CompletedStatus) =>
    Object.freeze({ "hookline.endpoint.id": id, "hookline.delivery.status": s });
  return {
    byKind: { success: outcome("success"), retryable: outcome("retryable"), permanent: outcome("permanent") },
    byStatus: { succeeded: status("succeeded"), failed: status("failed"), cancelled: status("cancelled") },
    retryable: new Map(),
    permanent: new Map(),
  };
}
