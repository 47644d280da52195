import { assertKnownKeys, type IntOptionRange, intOption, intOptions, keysOf } from "@hookline/core";

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
  /** The wait doubles after each failure in a row up to this bound. @default 30000, or reconnectDelayMs when that is more */
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

// reconnectDelayMs is checked first: it is the lower bound of maxReconnectDelayMs.
const INT_OPTIONS = {
  reconnectDelayMs: { min: 1, max: 60_000, default: 100 },
  timeoutMs: { min: 1, max: 300_000, default: 15_000 },
  connectTimeoutMs: { min: 1, max: 300_000, default: 5_000 },
  heartbeatSeconds: { min: 0, max: 3_600, default: 30 },
  maxInFlightPerBroker: { min: 1, max: 1_000_000, default: 1_024 },
} as const satisfies Record<string, IntOptionRange>;

/** Validate options once; every error names the option, what was expected and what was given. */
export function resolveAmqpOptions(opts: AmqpTransportOptions | undefined): ResolvedAmqpOptions {
  const o: unknown = opts === undefined ? {} : opts;
  assertKnownKeys(o, AMQP_TRANSPORT_OPTION_KEYS, "amqpTransport options");
  const ints = intOptions(o, INT_OPTIONS);
  const { reconnectDelayMs } = ints;
  return Object.freeze({
    ...ints,
    maxReconnectDelayMs: intOption("maxReconnectDelayMs", o.maxReconnectDelayMs, {
      min: reconnectDelayMs,
      max: 600_000,
      default: Math.max(30_000, reconnectDelayMs),
    }),
  });
}
