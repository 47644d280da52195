import type { AttemptResult, NextState } from "../contracts/store.js";
import type { DeliveryOutcome, Transport } from "../contracts/transport.js";
import type { ResolvedEndpoint } from "../endpoints/endpoint-config.js";
import type { RetryPolicy } from "../retry/retry-policy.js";
import { signatureHeaders } from "../signing/sign.js";
import type { Telemetry } from "../telemetry/telemetry.js";
import { injectTraceContext } from "../telemetry/w3c-trace-context.js";
import type { Clock } from "../util/clock.js";
import { newId } from "../util/ids.js";
import type { AttemptJob } from "./attempt-job.js";
import { redactHeaders, redactUrl } from "./redact.js";

/** What an AttemptRunner is built from. */
export interface AttemptRunnerOptions {
  /** The transport serving the endpoint (routed by its URL's scheme). */
  readonly transport: (endpointId: string) => Transport | undefined;
  readonly retry: RetryPolicy;
  readonly clock: Clock;
  /** The endpoint as configured in this process; undefined for one it does not know. */
  readonly endpoint: (id: string) => ResolvedEndpoint | undefined;
  /** Whether the endpoint's persisted switch is off. */
  readonly isDisabled: (id: string) => boolean;
  readonly telemetry: Telemetry;
}

/**
 * Makes one attempt: looks up the endpoint's current URL and secrets, signs with a fresh
 * timestamp, sends, and turns the outcome into an AttemptResult with the next state. Never throws.
 * Resolves null, having sent nothing, for an endpoint this process does not know: the delivery
 * belongs to a process that does (another service on the log, a newer version mid-deploy), so the
 * caller gives the claim back instead of recording anything.
 */
export class AttemptRunner {
  readonly #transport: (endpointId: string) => Transport | undefined;
  readonly #retry: RetryPolicy;
  readonly #clock: Clock;
  readonly #endpoint: (id: string) => ResolvedEndpoint | undefined;
  readonly #isDisabled: (id: string) => boolean;
  readonly #telemetry: Telemetry;

  constructor(opts: AttemptRunnerOptions) {
    this.#transport = opts.transport;
    this.#retry = opts.retry;
    this.#clock = opts.clock;
    this.#endpoint = opts.endpoint;
    this.#isDisabled = opts.isDisabled;
    this.#telemetry = opts.telemetry;
  }

  async run(job: AttemptJob, signal: AbortSignal): Promise<AttemptResult | null> {
    const startedAt = this.#clock.now();
    const attemptId = newId("att");
    const ep = this.#endpoint(job.endpointId);
    const transport = this.#transport(job.endpointId);
    if (!ep || !transport) return null;
    if (!ep.enabled || this.#isDisabled(job.endpointId)) {
      // Nothing is sent to an endpoint that is switched off; the delivery stays replayable.
      const outcome: DeliveryOutcome = {
        kind: "permanent",
        durationMs: 0,
        error: { code: "HOOKLINE_ENDPOINT_DISABLED", message: `endpoint "${job.endpointId}" is disabled` },
      };
      return result(job, attemptId, startedAt, null, outcome, { status: "cancelled" });
    }
    const span = this.#telemetry.startAttempt(job, ep);
    const headers = attemptHeaders(ep, job, Math.floor(startedAt.getTime() / 1000));
    if (span !== undefined && ep.propagateTraceContext) injectTraceContext(span.spanContext(), headers);
    let outcome: DeliveryOutcome;
    try {
      outcome = await this.#telemetry.send(
        span,
        job,
        transport,
        {
          deliveryId: job.deliveryId,
          eventId: job.eventId,
          eventCode: job.eventCode,
          endpointId: job.endpointId,
          attempt: job.attempt,
          replay: job.replay,
          url: ep.url,
          body: job.body,
          headers,
          ...(ep.timeoutMs === undefined ? {} : { timeoutMs: ep.timeoutMs }),
          ...(ep.tls === undefined ? {} : { tls: ep.tls }),
        },
        { signal },
      );
    } catch (err) {
      // The contract says transports return outcomes; a throw is a bug, logged as its own code.
      outcome = {
        kind: "retryable",
        durationMs: this.#clock.now().getTime() - startedAt.getTime(),
        error: { code: "HOOKLINE_TRANSPORT_ERROR", message: (err as Error)?.message ?? String(err) },
      };
    }
    this.#telemetry.endAttempt(span, job, ep, outcome);
    // The store pauses the endpoint for retryAfterMs (a 429): no longer than the retry policy
    // would wait for the delivery itself.
    const cap = this.#retry.maxRetryAfterMs;
    if (outcome.retryAfterMs !== undefined && outcome.retryAfterMs > cap)
      outcome = { ...outcome, retryAfterMs: cap };
    // An attempt our own stop() aborted says nothing about the receiver: it must not use up a
    // step of the schedule (on the last step that would fail the delivery for good).
    const next: NextState = signal.aborted
      ? { status: "pending", delayMs: 0 }
      : this.#retry.next(job.attempt, outcome, ep.retrySchedule);
    return result(job, attemptId, startedAt, loggedRequest(ep, headers), outcome, next);
  }
}

// Resolved endpoints are frozen and live as long as the config, so each URL is redacted once.
const loggedUrls = new WeakMap<ResolvedEndpoint, string>();

/** The request as the log keeps it: URL and header values redacted (see redact.ts). */
function loggedRequest(ep: ResolvedEndpoint, headers: Record<string, string>): AttemptResult["request"] {
  let url = loggedUrls.get(ep);
  if (url === undefined) {
    url = redactUrl(ep.url);
    loggedUrls.set(ep, url);
  }
  const logged = redactHeaders(headers, ep.showHeaders);
  // Hookline's own trace headers: no secret, and they lead from the log to the trace.
  if (headers.traceparent !== undefined && ep.propagateTraceContext) {
    logged.traceparent = headers.traceparent;
    if (headers.tracestate !== undefined) logged.tracestate = headers.tracestate;
  }
  return { url, headers: logged };
}

/** The attempt's request headers: the endpoint's own, then the Standard Webhooks signature. */
function attemptHeaders(ep: ResolvedEndpoint, job: AttemptJob, timestampSec: number): Record<string, string> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  for (const name in ep.headers) headers[name] = ep.headers[name] as string;
  const sig = signatureHeaders({ id: job.eventId, timestampSec, body: job.body, keys: ep.keys });
  headers["webhook-id"] = sig["webhook-id"];
  headers["webhook-timestamp"] = sig["webhook-timestamp"];
  if (sig["webhook-signature"] !== undefined) headers["webhook-signature"] = sig["webhook-signature"];
  return headers;
}

function result(
  job: AttemptJob,
  attemptId: string,
  startedAt: Date,
  request: AttemptResult["request"],
  outcome: DeliveryOutcome,
  next: NextState,
): AttemptResult {
  return {
    deliveryId: job.deliveryId,
    endpointId: job.endpointId,
    eventCode: job.eventCode,
    claimToken: job.claimToken,
    attemptId,
    attempt: job.attempt,
    startedAt,
    request,
    outcome,
    next,
    deliveryCreatedAt: job.createdAt,
  };
}
