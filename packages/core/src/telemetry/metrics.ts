import type { Attributes, Histogram, Meter } from "@opentelemetry/api";
import type { OutcomeKind } from "../contracts/transport.js";
import { type CompletedStatus, failureCount, type Tally, tallyOf } from "./tallies.js";

export type { CompletedStatus } from "./tallies.js";

// Seconds, from 5 ms to 10 s: the OpenTelemetry HTTP client duration buckets. The SDK's default
// buckets are meant for milliseconds and would put every attempt in the first one.
const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
const NO_ATTRIBUTES: Attributes = Object.freeze({});

/**
 * The instance's instruments. The counters and `hookline.inflight` are tallies in memory that the
 * meter reads at collection (see tallies.ts); the two histograms are recorded as they happen.
 */
export class HooklineMetrics {
  readonly #emitDuration: Histogram;
  readonly #attemptDuration: Histogram;
  readonly #tally: Tally;

  constructor(meter: Meter) {
    this.#tally = tallyOf(meter);
    this.#emitDuration = meter.createHistogram("hookline.emit.duration", {
      description: "How long emit() took, from the call until it resolved or rejected",
      unit: "s",
      advice: { explicitBucketBoundaries: SECONDS_BUCKETS },
    });
    this.#attemptDuration = meter.createHistogram("hookline.attempt.duration", {
      description: "How long each attempt's send took",
      unit: "s",
      advice: { explicitBucketBoundaries: SECONDS_BUCKETS },
    });
  }

  emitted(code: string): void {
    this.#tally.byCode(code).value++;
  }

  emitDuration(seconds: number): void {
    this.#emitDuration.record(seconds, NO_ATTRIBUTES);
  }

  sendStarted(): void {
    const inflight = this.#tally.inflight;
    inflight.value++;
    inflight.started = true;
  }

  sendEnded(): void {
    this.#tally.inflight.value--;
  }

  attempt(endpointId: string, kind: OutcomeKind, errorCode: string | undefined, durationMs: number): void {
    const ep = this.#tally.byEndpoint(endpointId);
    const count = kind === "success" ? ep.attempts.success : failureCount(ep, kind, errorCode);
    count.value++;
    this.#attemptDuration.record(durationMs / 1000, ep.attempts[kind].attributes);
  }

  completed(endpointId: string, status: CompletedStatus): void {
    this.#tally.byEndpoint(endpointId).completed[status].value++;
  }
}
