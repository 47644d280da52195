import { assertKnownKeys, invalidOption, keysOf } from "@hookline/core";

/** Options of amqpTransport(). Validated once, then frozen. */
export interface AmqpTransportOptions {
  /**
   * Total deadline of one attempt: waiting for the connection, the channel, flow control and the
   * broker's confirm, unless the request sets its own. @default 15000
   */
  readonly timeoutMs?: number;
  /** Deadline for TCP (and TLS) connect plus the AMQP handshake. @default 5000 */
  readonly connectTimeoutMs?: number;
  /** AMQP heartbeat asked of the broker, in seconds; 0 turns heartbeats off. @default 30 */
  readonly heartbeatSeconds?: number;
  /**
   * Messages per broker published and not yet confirmed, or waiting for flow control; past it a
   * send is refused at once with a retryable HOOKLINE_AMQP_BACKPRESSURE. @default 1024
   */
  readonly maxInFlightPerBroker?: number;
  /** First wait before connecting again after a failed or lost connection. @default 100 */
  readonly reconnectDelayMs?: number;
  /** The wait doubles after each failure in a row up to this bound. @default 30000 */
  readonly maxReconnectDelayMs?: number;
}

/** Options after validation. */
export type ResolvedAmqpOptions = Readonly<Required<AmqpTransportOptions>>;

/** Every key of AmqpTransportOptions; another one (`timeout`) is an error naming the nearest. */
export const AMQP_TRANSPORT_OPTION_KEYS = keysOf<AmqpTransportOptions>({
  timeoutMs: true,
  connectTimeoutMs: true,
  heartbeatSeconds: true,
  maxInFlightPerBroker: true,
  reconnectDelayMs: true,
  maxReconnectDelayMs: true,
});

function int(name: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw invalidOption(name, `an integer from ${min} to ${max}`, value);
  }
  return value;
}

/** Validate options once; every error names the option, what was expected and what was given. */
export function resolveAmqpOptions(opts: AmqpTransportOptions | undefined): ResolvedAmqpOptions {
  const o: unknown = opts === undefined ? {} : opts;
  assertKnownKeys(o, AMQP_TRANSPORT_OPTION_KEYS, "amqpTransport options");
  const reconnectDelayMs = int("reconnectDelayMs", o.reconnectDelayMs, 100, 1, 60_000);
  return Object.freeze({
    timeoutMs: int("timeoutMs", o.timeoutMs, 15_000, 1, 300_000),
    connectTimeoutMs: int("connectTimeoutMs", o.connectTimeoutMs, 5_000, 1, 300_000),
    heartbeatSeconds: int("heartbeatSeconds", o.heartbeatSeconds, 30, 0, 3_600),
    maxInFlightPerBroker: int("maxInFlightPerBroker", o.maxInFlightPerBroker, 1_024, 1, 1_000_000),
    reconnectDelayMs,
    maxReconnectDelayMs: int(
      "maxReconnectDelayMs",
      o.maxReconnectDelayMs,
      Math.max(30_000, reconnectDelayMs),
      reconnectDelayMs,
      600_000,
    ),
  });
}
