import {
  attemptTimeoutMs,
  type DeliveryOutcome,
  type DeliveryRequest,
  type EndpointTls,
  failedOutcome,
  HooklineError,
  startAttempt,
  type Transport,
  type TransportFailure,
  UrlCache,
} from "@hookline/core";
import { type AmqpTarget, type ParsedAmqpUrl, parseAmqpUrl } from "./amqp-url.js";
import { AttemptClock } from "./attempt-clock.js";
import { BrokerLink } from "./broker-link.js";
import { publishOptions } from "./message.js";
import { type AmqpTransportOptions, type ResolvedAmqpOptions, resolveAmqpOptions } from "./options.js";
import type { PublishResult } from "./publish-result.js";

/** URL schemes the AMQP transport serves. */
export const AMQP_SCHEMES: readonly string[] = Object.freeze(["amqp", "amqps"]);

class AmqpTransport implements Transport {
  readonly name = "amqp";
  readonly schemes = AMQP_SCHEMES;
  readonly #opts: ResolvedAmqpOptions;
  /** Endpoints are few and their URLs fixed, so each URL's parse is kept. */
  readonly #targets = new UrlCache<ParsedAmqpUrl>(parseAmqpUrl);
  readonly #brokers = new Map<string, BrokerLink>();
  /** Endpoints with TLS settings get their own connection; each settings object gets a number. */
  readonly #tlsIds = new WeakMap<EndpointTls, number>();
  #nextTlsId = 1;
  #closing: Promise<void> | undefined;

  /** Its own deadline, for endpoints without a timeoutMs: createHookline checks leases against it. */
  readonly timeoutMs: number;

  constructor(opts: ResolvedAmqpOptions) {
    this.#opts = opts;
    this.timeoutMs = opts.timeoutMs;
  }

  validateEndpoint({ endpointId, url }: { readonly endpointId: string; readonly url: string }): void {
    const parsed = this.#targets.get(url);
    if (!parsed.ok) {
      throw new HooklineError("HOOKLINE_INVALID_CONFIG", `endpoint "${endpointId}": url: ${parsed.reason}`, {
        details: { endpointId, field: "url" },
      });
    }
  }

  async send(req: DeliveryRequest, { signal }: { signal: AbortSignal }): Promise<DeliveryOutcome> {
    const { elapsed, refused } = startAttempt(signal, this.#closing !== undefined);
    if (refused !== undefined) return refused;
    const parsed = this.#targets.get(req.url);
    if (!parsed.ok)
      return failedOutcome("permanent", "HOOKLINE_INVALID_CONFIG", `url: ${parsed.reason}`, elapsed());
    const target = parsed.target;
    if (req.tls !== undefined && target.broker.protocol !== "amqps") {
      return failedOutcome(
        "permanent",
        "HOOKLINE_INVALID_CONFIG",
        "tls settings are given, but the endpoint URL is not amqps:",
        elapsed(),
      );
    }
    const broker = this.#broker(target, req.tls);
    const routingKey = target.routingKey ?? req.eventCode;
    const timeoutMs = attemptTimeoutMs(req, this.#opts.timeoutMs);
    const clock = new AttemptClock(timeoutMs, signal);
    try {
      const result = await broker.publish(
        {
          exchange: target.exchange,
          routingKey,
          body: Buffer.from(req.body, "utf8"),
          options: publishOptions(req),
        },
        clock,
      );
      return this.#outcome(result, target.exchange, routingKey, broker, timeoutMs, elapsed());
    } catch (err) {
      // Every path above answers with a value; this keeps send() one for a failure it did not foresee.
      return failedOutcome("retryable", "HOOKLINE_NETWORK_ERROR", String(err), elapsed());
    } finally {
      clock.dispose();
    }
  }

  #outcome(
    result: PublishResult,
    exchange: string,
    routingKey: string,
    broker: BrokerLink,
    timeoutMs: number,
    durationMs: number,
  ): DeliveryOutcome {
    if ("stopped" in result) {
      if (result.stopped === "aborted") {
        return failedOutcome("retryable", "HOOKLINE_ABORTED", "the attempt was aborted", durationMs);
      }
      // Still waiting for a broker that refused or dropped us: its failure says more than a timeout.
      const down = broker.unreachable;
      return down === undefined
        ? failedOutcome(
            "retryable",
            "HOOKLINE_TIMEOUT",
            `no confirm from the broker within ${timeoutMs} ms`,
            durationMs,
          )
        : failedOutcome(
            "retryable",
            down.code,
            `${down.message} (deadline of ${timeoutMs} ms passed)`,
            durationMs,
          );
    }
    if (result.ok && result.returned === undefined) {
      return {
        kind: "success",
        durationMs,
        body: JSON.stringify({ exchange, routingKey, ack: true }),
        bodyTruncated: false,
      };
    }
    if (result.ok) {
      return failedOutcome(
        "retryable",
        "HOOKLINE_AMQP_UNROUTABLE",
        `the broker returned the message (${result.returned}): no queue is bound for exchange ${JSON.stringify(exchange)} and routing key ${JSON.stringify(routingKey)}`,
        durationMs,
        {
          body: JSON.stringify({ exchange, routingKey, ack: true, returned: result.returned }),
          bodyTruncated: false,
        },
      );
    }
    const kind: TransportFailure["kind"] =
      result.code === "HOOKLINE_INVALID_CONFIG" ? "permanent" : "retryable";
    if (!result.nacked) return failedOutcome(kind, result.code, result.message, durationMs);
    const body = JSON.stringify({ exchange, routingKey, ack: false });
    return failedOutcome(kind, result.code, result.message, durationMs, { body, bodyTruncated: false });
  }

  #broker(target: AmqpTarget, tls: EndpointTls | undefined): BrokerLink {
    let key = target.broker.key;
    if (tls !== undefined) {
      let id = this.#tlsIds.get(tls);
      if (id === undefined) {
        id = this.#nextTlsId++;
        this.#tlsIds.set(tls, id);
      }
      key += `#tls${id}`;
    }
    let broker = this.#brokers.get(key);
    if (broker === undefined) {
      broker = new BrokerLink(target.broker, this.#opts, tls);
      this.#brokers.set(key, broker);
    }
    return broker;
  }

  close(): Promise<void> {
    this.#closing ??= Promise.all([...this.#brokers.values()].map((b) => b.close())).then(() => {
      this.#brokers.clear();
    });
    return this.#closing;
  }
}

/**
 * A transport that publishes each delivery to RabbitMQ (AMQP 0-9-1) through a confirm channel:
 * persistent, mandatory, one connection per broker login. Options are validated now; a bad one
 * throws HOOKLINE_INVALID_OPTION.
 */
export function amqpTransport(opts?: AmqpTransportOptions): Transport {
  return Object.freeze(new AmqpTransport(resolveAmqpOptions(opts)));
}
