import { performance } from "node:perf_hooks";
import {
  attemptTimeoutMs,
  type DeliveryOutcome,
  type DeliveryRequest,
  failedOutcome,
  HooklineError,
  redactUrl,
  startAttempt,
  type Transport,
  UrlCache,
} from "@hookline/core";
import type { PubAck } from "@nats-io/jetstream";
import { headers as natsHeaders } from "@nats-io/transport-node";
import { type Connection, ConnectionPool } from "./connection-pool.js";
import { mapNatsError } from "./map-error.js";
import { messageId } from "./message-id.js";
import { NATS_SCHEMES, type NatsTarget, type ParsedNatsUrl, parseNatsUrl } from "./nats-url.js";
import { type NatsTransportOptions, type ResolvedNatsOptions, resolveNatsOptions } from "./options.js";

const encoder = new TextEncoder();

class NatsTransport implements Transport {
  readonly name = "nats";
  readonly schemes = NATS_SCHEMES;
  readonly #opts: ResolvedNatsOptions;
  readonly #pool: ConnectionPool;
  /** Endpoints are few and their URLs fixed, so each URL's parse is kept. */
  readonly #targets = new UrlCache<ParsedNatsUrl>(parseNatsUrl);
  /** Attempts not yet settled; close() lets them finish (each is bounded by its deadline). */
  readonly #live = new Set<Promise<DeliveryOutcome>>();
  #closing: Promise<void> | undefined;

  /** Its own deadline, for endpoints without a timeoutMs: createHookline checks leases against it. */
  readonly timeoutMs: number;

  constructor(opts: ResolvedNatsOptions) {
    this.#opts = opts;
    this.timeoutMs = opts.timeoutMs;
    this.#pool = new ConnectionPool(opts);
  }

  validateEndpoint({ endpointId, url }: { readonly endpointId: string; readonly url: string }): void {
    const parsed = parseNatsUrl(url);
    if (!parsed.ok) {
      throw new HooklineError(
        "HOOKLINE_INVALID_CONFIG",
        `endpoint ${JSON.stringify(endpointId)}: url ${redactUrl(url)}: ${parsed.reason}`,
      );
    }
  }

  async send(req: DeliveryRequest, { signal }: { signal: AbortSignal }): Promise<DeliveryOutcome> {
    const { started, elapsed, refused } = startAttempt(signal, this.#closing !== undefined);
    if (refused !== undefined) return refused;
    const parsed = this.#targets.get(req.url);
    if (!parsed.ok) return failedOutcome("permanent", "HOOKLINE_INVALID_CONFIG", parsed.reason, elapsed());
    // Publishing in clear text what was meant to go over TLS would be silent and wrong.
    if (req.tls !== undefined) {
      const reason = "tls settings are given, but the NATS transport does not connect over TLS";
      return failedOutcome("permanent", "HOOKLINE_INVALID_CONFIG", reason, elapsed());
    }
    const timeoutMs = attemptTimeoutMs(req, this.#opts.timeoutMs);
    const attempt = new Promise<DeliveryOutcome>((resolve) => {
      let done = false;
      const settle = (outcome: DeliveryOutcome) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
        resolve(outcome);
      };
      const settled = () => done;
      // One deadline covers opening the connection, the publish and the stream's acknowledgement.
      const timer = setTimeout(() => {
        const message = `no acknowledgement from the stream within ${timeoutMs} ms`;
        settle(failedOutcome("retryable", "HOOKLINE_TIMEOUT", message, elapsed()));
      }, timeoutMs);
      const onAbort = () =>
        settle(failedOutcome("retryable", "HOOKLINE_ABORTED", "the attempt was aborted", elapsed()));
      signal.addEventListener("abort", onAbort, { once: true });
      const deadline = started + timeoutMs;
      this.#publish(req, parsed.target, deadline, elapsed, settle, settled).catch((err) => {
        const mapped = mapNatsError(err, secretsOf(parsed.target));
        settle(failedOutcome(mapped.kind, mapped.code, mapped.message, elapsed()));
      });
    });
    this.#live.add(attempt);
    void attempt.then(() => this.#live.delete(attempt));
    return attempt;
  }

  async #publish(
    req: DeliveryRequest,
    target: NatsTarget,
    deadline: number,
    elapsed: () => number,
    settle: (outcome: DeliveryOutcome) => void,
    settled: () => boolean,
  ): Promise<void> {
    let conn: Connection;
    try {
      conn = await this.#pool.get(target);
    } catch (err) {
      const mapped = mapNatsError(err, secretsOf(target));
      // A connect that ran out of time is a connect timeout, not a lost acknowledgement.
      const code = mapped.code === "HOOKLINE_TIMEOUT" ? "HOOKLINE_CONNECT_TIMEOUT" : mapped.code;
      settle(failedOutcome(mapped.kind, code, mapped.message, elapsed()));
      return;
    }
    if (settled()) return;
    if (conn.state !== "connected") {
      // The client would buffer the publish until it reconnects; refuse it instead, unsent.
      const message = "the connection to the NATS server was lost and the client is reconnecting";
      settle(failedOutcome("retryable", "HOOKLINE_NATS_DISCONNECTED", message, elapsed()));
      return;
    }
    if (conn.inFlight >= this.#opts.maxInFlightPerServer) {
      const message = `${this.#opts.maxInFlightPerServer} publishes already await acknowledgement from ${target.server}`;
      settle(failedOutcome("retryable", "HOOKLINE_NATS_BACKPRESSURE", message, elapsed()));
      return;
    }
    const h = natsHeaders();
    for (const [name, value] of Object.entries(req.headers)) h.set(name, value);
    const unsubscribe = conn.onDrop(() => {
      const message =
        "the connection to the NATS server was lost before the stream acknowledged; the message may be stored, and a retry with the same message id is stored only once";
      settle(failedOutcome("retryable", "HOOKLINE_CONNECTION_RESET", message, elapsed()));
    });
    try {
      const ack = await conn.track(
        conn.js.publish(target.subject, encoder.encode(req.body), {
          msgID: messageId(req),
          headers: h,
          timeout: Math.max(1, Math.ceil(deadline - performance.now())),
        }),
      );
      settle({ kind: "success", durationMs: elapsed(), body: ackBody(ack) });
    } finally {
      unsubscribe();
    }
  }

  close(): Promise<void> {
    this.#closing ??= Promise.all(this.#live).then(() => this.#pool.close());
    return this.#closing;
  }
}

/** What the stream answered, as the attempt's recorded response body. */
function ackBody(ack: PubAck): string {
  return JSON.stringify({ stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate });
}

function secretsOf(target: NatsTarget): string[] {
  return [target.user ?? "", target.pass ?? "", target.token ?? ""];
}

/**
 * A NATS JetStream transport: each attempt publishes the signed body with the webhook headers to
 * the endpoint's subject and waits for the stream's acknowledgement. Options are validated now;
 * a bad one throws HOOKLINE_INVALID_OPTION.
 */
export function natsTransport(opts?: NatsTransportOptions): Transport {
  return Object.freeze(new NatsTransport(resolveNatsOptions(opts)));
}
