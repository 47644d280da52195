import {
  attemptTimeoutMs,
  classifyResponse,
  type DeliveryOutcome,
  type DeliveryRequest,
  failedOutcome,
  startAttempt,
  type Transport,
  UrlCache,
} from "@hookline/core";
import { onAbort } from "./abort-fanout.js";
import { mapError } from "./map-error.js";
import { type HttpTransportOptions, type ResolvedOptions, resolveOptions } from "./options.js";
import { createOriginLimiter, type OriginLimiter } from "./origin-limiter.js";
import { ResponseCollector, type Settled } from "./response-collector.js";
import { checkUrl, type UrlVerdict } from "./ssrf-guard.js";
import { createAgent, TlsAgents } from "./tls-agents.js";
import type { TransportAgent } from "./undici-parts.js";
import { HTTP_SCHEMES, validateHttpEndpoint } from "./validate-endpoint.js";

/** Where a checked URL sends: undici's dispatch takes the origin and the path apart. */
type Target =
  | { readonly ok: true; readonly origin: string; readonly path: string }
  | Exclude<UrlVerdict, { ok: true }>;

// What a deliberate stop of an attempt settles with, told apart from undici's own errors.
const DEADLINE = Symbol("deadline");
const STOPPED = Symbol("stopped");

class HttpTransport implements Transport {
  readonly name = "http";
  readonly schemes = HTTP_SCHEMES;
  readonly #opts: ResolvedOptions;
  readonly #agent: TransportAgent;
  /** Endpoints with their own TLS settings connect through these; all others share #agent. */
  readonly #tlsAgents: TlsAgents;
  readonly #limiter: OriginLimiter;
  /** Endpoints are few and their URLs fixed, so each URL's verdict is kept. */
  readonly #targets: UrlCache<Target>;
  #closed = false;

  /** Its own deadline, for endpoints without a timeoutMs: createHookline checks leases against it. */
  readonly timeoutMs: number;

  constructor(opts: ResolvedOptions) {
    this.#opts = opts;
    this.timeoutMs = opts.timeoutMs;
    this.#limiter = createOriginLimiter(opts.maxInFlightPerOrigin);
    this.#agent = createAgent(opts);
    this.#tlsAgents = new TlsAgents(opts);
    this.#targets = new UrlCache((url) => toTarget(checkUrl(opts.ssrf, url)));
  }

  validateEndpoint(endpoint: { readonly endpointId: string; readonly url: string }): void {
    validateHttpEndpoint(endpoint);
  }

  async send(req: DeliveryRequest, { signal }: { signal: AbortSignal }): Promise<DeliveryOutcome> {
    const { elapsed, refused } = startAttempt(signal, this.#closed);
    if (refused !== undefined) return refused;
    const target = this.#targets.get(req.url);
    if (!target.ok) return failedOutcome("permanent", target.code, target.reason, elapsed());
    const { origin } = target;
    const dispatcher = this.#dispatcher(req, origin);
    if (!dispatcher.ok)
      return failedOutcome("permanent", "HOOKLINE_INVALID_CONFIG", dispatcher.reason, elapsed());
    // One count per origin whichever agent carries the request: the receiver sees them all.
    if (!this.#limiter.tryAcquire(origin)) {
      const max = this.#opts.maxInFlightPerOrigin;
      return failedOutcome(
        "retryable",
        "HOOKLINE_NETWORK_ERROR",
        `${max} requests already in flight to ${origin}`,
        elapsed(),
      );
    }
    // The slot is held until undici is done with the request, not just until the outcome: one
    // that timed out while queued behind a busy socket still sits in undici's queue until then.
    const released = () => this.#limiter.release(origin);
    return this.#attempt(req, dispatcher.agent, target, signal, elapsed, released).catch((err) => {
      // #attempt maps every failure it knows; this keeps send() a value even for one it does not.
      const mapped = mapError(err);
      return failedOutcome(mapped.kind, mapped.code, mapped.message, elapsed());
    });
  }

  #dispatcher(
    req: DeliveryRequest,
    origin: string,
  ): { ok: true; agent: TransportAgent } | { ok: false; reason: string } {
    if (req.tls === undefined) return { ok: true, agent: this.#agent };
    // Sending in clear text what was meant to go over (mutual) TLS would be silent and wrong.
    if (!origin.startsWith("https:")) {
      return { ok: false, reason: "tls settings are given, but the endpoint URL is not https:" };
    }
    return this.#tlsAgents.get(req.tls);
  }

  #attempt(
    req: DeliveryRequest,
    agent: TransportAgent,
    target: { origin: string; path: string },
    signal: AbortSignal,
    elapsed: () => number,
    released: () => void,
  ): Promise<DeliveryOutcome> {
    const timeoutMs = attemptTimeoutMs(req, this.#opts.timeoutMs);
    return new Promise((resolve) => {
      // One deadline covers the wait for a socket, connect, headers and a trickling body alike.
      const collector = new ResponseCollector(
        this.#opts.maxResponseBytes,
        (settled) => {
          clearTimeout(timer);
          unsubscribe();
          // Runs inside undici's callbacks: nothing may throw back into them.
          try {
            resolve(this.#outcome(settled, timeoutMs, elapsed()));
          } catch (err) {
            const mapped = mapError(err);
            resolve(failedOutcome(mapped.kind, mapped.code, mapped.message, elapsed()));
          }
        },
        released,
      );
      const timer = setTimeout(
        () => collector.abort(new Error(`no complete response within ${timeoutMs} ms`), DEADLINE),
        timeoutMs,
      );
      const unsubscribe = onAbort(signal, () => collector.abort(new Error("attempt aborted"), STOPPED));
      try {
        agent.dispatch(
          {
            origin: target.origin,
            path: target.path,
            method: "POST",
            headers: {
              "content-type": "application/json",
              ...req.headers,
              "user-agent": this.#opts.userAgent,
              "accept-encoding": "identity",
            },
            body: req.body,
            headersTimeout: timeoutMs,
            bodyTimeout: timeoutMs,
          },
          collector,
        );
      } catch (err) {
        collector.fail(err);
      }
    });
  }

  #outcome(settled: Settled, timeoutMs: number, durationMs: number): DeliveryOutcome {
    if (settled.ok) {
      const r = settled.response;
      return classifyResponse(
        { status: r.status, headers: r.headers, body: r.body, bodyTruncated: r.bodyTruncated, durationMs },
        this.#opts,
      );
    }
    const { error, partial } = settled;
    if (error === DEADLINE)
      return failedOutcome(
        "retryable",
        "HOOKLINE_TIMEOUT",
        `no complete response within ${timeoutMs} ms`,
        durationMs,
        partial,
      );
    if (error === STOPPED)
      return failedOutcome("retryable", "HOOKLINE_ABORTED", "the attempt was aborted", durationMs, partial);
    const mapped = mapError(error);
    return failedOutcome(mapped.kind, mapped.code, mapped.message, durationMs, partial);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([this.#agent.close(), this.#tlsAgents.close()]);
  }
}

function toTarget(verdict: UrlVerdict): Target {
  if (!verdict.ok) return verdict;
  return { ok: true, origin: verdict.url.origin, path: `${verdict.url.pathname}${verdict.url.search}` };
}

/**
 * An HTTP transport on undici with keep-alive pools, per-attempt deadlines, capped response reads
 * and an SSRF guard. Options are validated now; a bad one throws HOOKLINE_INVALID_OPTION.
 */
export function httpTransport(opts?: HttpTransportOptions): Transport {
  return Object.freeze(new HttpTransport(resolveOptions(opts)));
}
