import { performance } from "node:perf_hooks";
import {
  classifyResponse,
  type DeliveryOutcome,
  type DeliveryRequest,
  type ErrorCode,
  type OutcomeKind,
  type Transport,
} from "@hookline/core";
import { Agent, request } from "undici";
import { onAbort } from "./abort-fanout.js";
import { guardedConnector } from "./guarded-connector.js";
import { mapError } from "./map-error.js";
import { type HttpTransportOptions, type ResolvedOptions, resolveOptions } from "./options.js";
import { createOriginLimiter, type OriginLimiter } from "./origin-limiter.js";
import { readCapped } from "./read-capped.js";
import { checkUrl } from "./ssrf-guard.js";

type Failure = Exclude<OutcomeKind, "success">;

interface Received {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  bodyTruncated?: boolean;
}

function flattenHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

function fail(kind: Failure, code: ErrorCode, message: string, durationMs: number, partial: Received = {}) {
  return { kind, ...partial, durationMs, error: { code, message } } satisfies DeliveryOutcome;
}

class HttpTransport implements Transport {
  readonly name = "http";
  readonly #opts: ResolvedOptions;
  readonly #agent: Agent;
  readonly #limiter: OriginLimiter;
  #closed = false;

  constructor(opts: ResolvedOptions) {
    this.#opts = opts;
    this.#limiter = createOriginLimiter(opts.maxInFlightPerOrigin);
    this.#agent = new Agent({
      connections: opts.connectionsPerOrigin,
      pipelining: 1,
      keepAliveTimeout: opts.keepAliveTimeoutMs,
      keepAliveMaxTimeout: opts.keepAliveTimeoutMs,
      connect: guardedConnector(opts),
    });
  }

  async send(req: DeliveryRequest, { signal }: { signal: AbortSignal }): Promise<DeliveryOutcome> {
    const started = performance.now();
    const elapsed = () => Math.max(0, Math.round(performance.now() - started));
    if (this.#closed) return fail("retryable", "HOOKLINE_ABORTED", "the transport is closed", elapsed());
    if (signal.aborted) return fail("retryable", "HOOKLINE_ABORTED", "aborted before sending", elapsed());
    const verdict = checkUrl(this.#opts.ssrf, req.url);
    if (!verdict.ok) return fail("permanent", verdict.code, verdict.reason, elapsed());
    const origin = verdict.url.origin;
    if (!this.#limiter.tryAcquire(origin)) {
      const max = this.#opts.maxInFlightPerOrigin;
      return fail(
        "retryable",
        "HOOKLINE_NETWORK_ERROR",
        `${max} requests already in flight to ${origin}`,
        elapsed(),
      );
    }
    try {
      return await this.#attempt(req, verdict.url, signal, elapsed);
    } catch (err) {
      // #attempt maps every failure it knows; this keeps send() a value even for one it does not.
      const mapped = mapError(err);
      return fail(mapped.kind, mapped.code, mapped.message, elapsed());
    } finally {
      this.#limiter.release(origin);
    }
  }

  async #attempt(req: DeliveryRequest, url: URL, signal: AbortSignal, elapsed: () => number) {
    const timeoutMs =
      typeof req.timeoutMs === "number" && req.timeoutMs > 0 && Number.isFinite(req.timeoutMs)
        ? req.timeoutMs
        : this.#opts.timeoutMs;
    // One controller for both stops, so the deadline covers connect, headers and a trickling body
    // alike; `stop` remembers which fired because undici reports both as a plain abort.
    const controller = new AbortController();
    let stop: "deadline" | "signal" | undefined;
    const timer = setTimeout(() => {
      stop ??= "deadline";
      controller.abort();
    }, timeoutMs);
    const unsubscribe = onAbort(signal, () => {
      stop ??= "signal";
      controller.abort();
    });
    const partial: Received = {};
    try {
      const res = await request(url, {
        dispatcher: this.#agent,
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...req.headers,
          "user-agent": this.#opts.userAgent,
          "accept-encoding": "identity",
        },
        body: req.body,
        signal: controller.signal,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      partial.status = res.statusCode;
      partial.headers = flattenHeaders(res.headers);
      const body = await readCapped(res.body, this.#opts.maxResponseBytes);
      partial.body = body.text;
      partial.bodyTruncated = body.truncated;
      if (body.error !== undefined) throw body.error;
      return classifyResponse(
        {
          status: res.statusCode,
          headers: partial.headers,
          body: body.text,
          bodyTruncated: body.truncated,
          durationMs: elapsed(),
        },
        { disableOn410: this.#opts.disableOn410 },
      );
    } catch (err) {
      if (stop === "deadline") {
        return fail(
          "retryable",
          "HOOKLINE_TIMEOUT",
          `no complete response within ${timeoutMs} ms`,
          elapsed(),
          partial,
        );
      }
      if (stop === "signal")
        return fail("retryable", "HOOKLINE_ABORTED", "the attempt was aborted", elapsed(), partial);
      const mapped = mapError(err);
      return fail(mapped.kind, mapped.code, mapped.message, elapsed(), partial);
    } finally {
      clearTimeout(timer);
      unsubscribe();
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#agent.close();
  }
}

/**
 * An HTTP transport on undici with keep-alive pools, per-attempt deadlines, capped response reads
 * and an SSRF guard. Options are validated now; a bad one throws HOOKLINE_INVALID_OPTION.
 */
export function httpTransport(opts?: HttpTransportOptions): Transport {
  return Object.freeze(new HttpTransport(resolveOptions(opts)));
}
