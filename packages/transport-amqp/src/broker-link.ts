import type { EndpointTls } from "@hookline/core";
import { type ChannelModel, connect, type Options } from "amqplib";
import type { BrokerAddress } from "./amqp-url.js";
import type { AttemptClock } from "./attempt-clock.js";
import { ExchangeChannel } from "./exchange-channel.js";
import { type ConnectionFailure, mapConnectionError } from "./map-error.js";
import type { ResolvedAmqpOptions } from "./options.js";
import { failed, type PublishResult } from "./publish-result.js";

/** One message for one exchange, as amqplib publishes it. */
export interface OutgoingMessage {
  readonly exchange: string;
  readonly routingKey: string;
  readonly body: Buffer;
  readonly options: Options.Publish;
}

/** A live connection and why it ended, once it has. */
interface Connection {
  readonly model: ChannelModel;
  lost?: PublishResult;
}

/** Remove every occurrence of the password from text that may reach a log. */
function scrubber(password: string | undefined): (text: string) => string {
  if (password === undefined || password === "") return (text) => text;
  return (text) => text.split(password).join("[redacted]");
}

/**
 * The one connection to one broker login (scheme, host, port, vhost, credentials, TLS), opened on
 * the first send. After a failed or lost connection the next attempt to connect waits a back-off
 * that doubles per failure in a row, up to maxReconnectDelayMs; a send whose deadline ends before
 * then fails at once with the last failure instead of waiting. Unconfirmed and waiting messages
 * are bounded by maxInFlightPerBroker; nothing is buffered past it.
 */
export class BrokerLink {
  readonly #address: BrokerAddress;
  readonly #opts: ResolvedAmqpOptions;
  readonly #tls: EndpointTls | undefined;
  readonly #scrub: (text: string) => string;
  readonly #channels = new Map<string, Promise<ExchangeChannel | PublishResult>>();
  readonly #unblockWaiters = new Set<() => void>();
  #conn: Connection | undefined;
  #connecting: Promise<Connection | ConnectionFailure> | undefined;
  #backoff: { readonly timer: NodeJS.Timeout; readonly wake: () => void } | undefined;
  #failuresInARow = 0;
  #retryAt = 0;
  #lastFailure: ConnectionFailure | undefined;
  #blocked: string | undefined;
  #inFlight = 0;
  #closed = false;

  constructor(address: BrokerAddress, opts: ResolvedAmqpOptions, tls: EndpointTls | undefined) {
    this.#address = address;
    this.#opts = opts;
    this.#tls = tls;
    this.#scrub = scrubber(address.password);
  }

  /** Publish one message within `clock`; the in-flight slot is held until the broker settles it. */
  async publish(msg: OutgoingMessage, clock: AttemptClock): Promise<PublishResult> {
    if (this.#inFlight >= this.#opts.maxInFlightPerBroker) {
      return failed(
        "HOOKLINE_AMQP_BACKPRESSURE",
        `${this.#opts.maxInFlightPerBroker} messages already wait for ${this.#address.display}`,
      );
    }
    this.#inFlight++;
    let published: Promise<PublishResult> | undefined;
    try {
      const channel = await clock.race(this.#channel(msg.exchange, clock));
      if (!(channel instanceof ExchangeChannel)) return channel;
      if (this.#blocked !== undefined) {
        const waited = await clock.race(this.#unblocked());
        if (waited !== undefined && "stopped" in waited) {
          return waited.stopped === "aborted"
            ? waited
            : failed("HOOKLINE_AMQP_BACKPRESSURE", `the broker blocks publishers: ${this.#blocked}`);
        }
      }
      if (!channel.writable) {
        const drained = await clock.race(channel.drained());
        if (drained !== undefined && "stopped" in drained) return drained;
      }
      published = channel.publish(msg.exchange, msg.routingKey, msg.body, msg.options);
      return await clock.race(published);
    } finally {
      // A message on the wire keeps its slot until the broker confirms it or the channel ends.
      if (published === undefined) this.#inFlight--;
      else void published.finally(() => this.#inFlight--);
    }
  }

  /** Why the broker cannot be reached right now, while no connection is up. */
  get unreachable(): ConnectionFailure | undefined {
    return this.#conn === undefined ? this.#lastFailure : undefined;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#backoff !== undefined) {
      clearTimeout(this.#backoff.timer);
      this.#backoff.wake();
    }
    for (const wake of this.#unblockWaiters) wake();
    const conn = this.#conn ?? (await this.#connecting?.catch(() => undefined));
    this.#conn = undefined;
    if (conn !== undefined && "model" in conn) {
      conn.lost ??= failed("HOOKLINE_ABORTED", "the transport was closed before the broker confirmed");
      await conn.model.close().catch(() => {});
    }
  }

  async #channel(exchange: string, clock: AttemptClock): Promise<ExchangeChannel | PublishResult> {
    const known = this.#channels.get(exchange);
    if (known !== undefined) {
      const ch = await known;
      if (!(ch instanceof ExchangeChannel) || ch.isOpen) return ch;
      if (this.#channels.get(exchange) === known) this.#channels.delete(exchange);
      return this.#channel(exchange, clock);
    }
    const opening = (async (): Promise<ExchangeChannel | PublishResult> => {
      const conn = await this.#connection(clock);
      if (!("model" in conn)) return failed(conn.code, conn.message);
      try {
        return await ExchangeChannel.open(conn.model, () => conn.lost, this.#scrub);
      } catch (err) {
        return conn.lost ?? failed("HOOKLINE_AMQP_CHANNEL_CLOSED", this.#scrub(String(err)));
      }
    })();
    this.#channels.set(exchange, opening);
    // A failure is not kept: the next send asks again (subject to the connection's back-off).
    void opening.then((ch) => {
      if (!(ch instanceof ExchangeChannel) && this.#channels.get(exchange) === opening) {
        this.#channels.delete(exchange);
      }
    });
    return opening;
  }

  #connection(clock: AttemptClock): Promise<Connection | ConnectionFailure> {
    if (this.#closed) {
      return Promise.resolve({ code: "HOOKLINE_ABORTED", message: "the transport is closed" } as const);
    }
    if (this.#conn !== undefined) return Promise.resolve(this.#conn);
    if (this.#connecting === undefined) {
      const wait = this.#retryAt - Date.now();
      if (wait > clock.remaining() && this.#lastFailure !== undefined) {
        const last = this.#lastFailure;
        return Promise.resolve({
          code: last.code,
          message: `${last.message}; next connection attempt in ${wait} ms`,
        });
      }
      this.#connecting = (wait > 0 ? this.#sleep(wait) : Promise.resolve())
        .then(() => this.#open())
        .finally(() => {
          this.#connecting = undefined;
        });
    }
    return this.#connecting;
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        this.#backoff = undefined;
        resolve();
      };
      this.#backoff = { timer: setTimeout(wake, ms), wake };
    });
  }

  async #open(): Promise<Connection | ConnectionFailure> {
    if (this.#closed) return { code: "HOOKLINE_ABORTED", message: "the transport is closed" };
    const a = this.#address;
    try {
      const model = await connect(
        {
          protocol: a.protocol,
          hostname: a.hostname,
          port: a.port,
          vhost: a.vhost,
          heartbeat: this.#opts.heartbeatSeconds,
          ...(a.username === undefined && a.password === undefined
            ? {}
            : { username: a.username ?? "", password: a.password ?? "" }),
        },
        {
          timeout: this.#opts.connectTimeoutMs,
          noDelay: true,
          clientProperties: { connection_name: "hookline" },
          ...this.#tlsOptions(),
        },
      );
      return this.#adopt(model);
    } catch (err) {
      const failure = mapConnectionError(err, this.#scrub);
      this.#failed(failure);
      return failure;
    }
  }

  #adopt(model: ChannelModel): Connection {
    const conn: Connection = { model };
    this.#failuresInARow = 0;
    this.#lastFailure = undefined;
    model.on("error", () => {}); // 'close' follows with the same error; it alone is acted on
    model.on("close", (err?: Error) => {
      if (conn.lost === undefined) {
        const failure =
          err === undefined
            ? { code: "HOOKLINE_CONNECTION_RESET" as const, message: "the broker closed the connection" }
            : mapConnectionError(err, this.#scrub);
        conn.lost = failed(failure.code, `the connection was lost: ${failure.message}`);
        this.#failed(failure);
      }
      if (this.#conn === conn) {
        this.#conn = undefined;
        this.#channels.clear();
        this.#setBlocked(undefined);
      }
    });
    model.on("blocked", (reason: string) => this.#setBlocked(reason || "connection.blocked"));
    model.on("unblocked", () => this.#setBlocked(undefined));
    if (this.#closed) {
      conn.lost = failed("HOOKLINE_ABORTED", "the transport is closed");
      void model.close().catch(() => {});
    } else this.#conn = conn;
    return conn;
  }

  #failed(failure: ConnectionFailure): void {
    this.#failuresInARow++;
    this.#lastFailure = failure;
    const base = this.#opts.reconnectDelayMs * 2 ** Math.min(this.#failuresInARow - 1, 30);
    // Up to 20% less, so brokers' clients do not all come back in the same instant.
    const delay = Math.min(this.#opts.maxReconnectDelayMs, base) * (1 - Math.random() * 0.2);
    this.#retryAt = Date.now() + Math.round(delay);
  }

  #setBlocked(reason: string | undefined): void {
    this.#blocked = reason;
    if (reason === undefined) {
      for (const wake of this.#unblockWaiters) wake();
      this.#unblockWaiters.clear();
    }
  }

  #unblocked(): Promise<void> {
    if (this.#blocked === undefined || this.#closed) return Promise.resolve();
    return new Promise((resolve) => this.#unblockWaiters.add(resolve));
  }

  #tlsOptions(): Record<string, unknown> {
    const t = this.#tls;
    if (t === undefined) return {};
    return {
      ...(t.ca === undefined ? {} : { ca: [...t.ca] }),
      ...(t.cert === undefined ? {} : { cert: t.cert }),
      ...(t.key === undefined ? {} : { key: t.key }),
      ...(t.passphrase === undefined ? {} : { passphrase: t.passphrase }),
      ...(t.servername === undefined ? {} : { servername: t.servername }),
    };
  }
}
