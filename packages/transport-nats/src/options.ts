import { assertKnownKeys, type IntOptionRange, intOptions, invalidOption, keysOf } from "@hookline/core";

/** Options of natsTransport(). Validated once, then frozen. */
export interface NatsTransportOptions {
  /**
   * Total deadline of one attempt (connecting if needed, publishing, waiting for the stream's
   * acknowledgement), unless the request sets its own. @default 10000
   */
  readonly timeoutMs?: number;
  /** Deadline for opening a connection (TCP and the NATS handshake). @default 5000 */
  readonly connectTimeoutMs?: number;
  /**
   * Publishes per server connection awaiting their acknowledgement; more are refused at once
   * (retryable HOOKLINE_NATS_BACKPRESSURE), so nothing queues without bound. @default 256
   */
  readonly maxInFlightPerServer?: number;
  /**
   * Reconnect attempts the client makes after a connection is lost before it gives up; the next
   * send then opens a new connection. @default 10
   */
  readonly maxReconnectAttempts?: number;
  /** Wait between reconnect attempts (the client adds up to 100 ms of jitter). @default 2000 */
  readonly reconnectTimeWaitMs?: number;
  /** Client name the server shows in its monitoring pages. @default "hookline" */
  readonly clientName?: string;
}

/** Options after validation. */
export interface ResolvedNatsOptions {
  readonly timeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly maxInFlightPerServer: number;
  readonly maxReconnectAttempts: number;
  readonly reconnectTimeWaitMs: number;
  readonly clientName: string;
}

/** Every key of NatsTransportOptions; another one is an error naming the nearest. */
export const NATS_TRANSPORT_OPTION_KEYS = keysOf<NatsTransportOptions>({
  timeoutMs: true,
  connectTimeoutMs: true,
  maxInFlightPerServer: true,
  maxReconnectAttempts: true,
  reconnectTimeWaitMs: true,
  clientName: true,
});

const MAX_TIMEOUT_MS = 300_000;
const INT_OPTIONS = {
  timeoutMs: { min: 1, max: MAX_TIMEOUT_MS, default: 10_000 },
  connectTimeoutMs: { min: 1, max: MAX_TIMEOUT_MS, default: 5_000 },
  maxInFlightPerServer: { min: 1, max: 1_000_000, default: 256 },
  maxReconnectAttempts: { min: 0, max: 1_000, default: 10 },
  reconnectTimeWaitMs: { min: 1, max: MAX_TIMEOUT_MS, default: 2_000 },
} as const satisfies Record<string, IntOptionRange>;

/** Validate options once; every error names the option, what was expected and what was given. */
export function resolveNatsOptions(opts: NatsTransportOptions | undefined): ResolvedNatsOptions {
  const o: unknown = opts === undefined ? {} : opts;
  assertKnownKeys(o, NATS_TRANSPORT_OPTION_KEYS, "natsTransport options");
  const clientName = o.clientName ?? "hookline";
  if (typeof clientName !== "string" || clientName.trim() === "" || /[\s\0]/.test(clientName)) {
    throw invalidOption("clientName", "a non-empty string without white space", clientName);
  }
  return Object.freeze({
    ...intOptions(o, INT_OPTIONS),
    clientName,
  });
}
