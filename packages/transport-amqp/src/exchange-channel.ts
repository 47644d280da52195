import type { ChannelModel, ConfirmChannel, Message, Options } from "amqplib";
import { failed, type PublishResult } from "./publish-result.js";

/** Why the channel's connection went away, once it has; undefined while it is up. */
export type ConnectionVerdict = () => PublishResult | undefined;

interface Pending {
  readonly key: string;
  returned?: string;
}

const returnKey = (messageId: unknown, exchange: string, routingKey: string) =>
  `${String(messageId)}\0${exchange}\0${routingKey}`;

/**
 * A confirm channel publishing to one exchange. Each exchange has its own channel because the
 * broker closes a channel on a publish to an exchange that does not exist: that must fail only
 * the endpoints using that exchange, never the others sharing the connection.
 */
export class ExchangeChannel {
  readonly #ch: ConfirmChannel;
  readonly #verdict: ConnectionVerdict;
  readonly #scrub: (text: string) => string;
  /** Publishes awaiting their confirm, per message id + exchange + routing key, oldest first. */
  readonly #pending = new Map<string, Pending[]>();
  readonly #drainWaiters = new Set<() => void>();
  #open = true;
  #writable = true;
  #serverReason: string | undefined;

  private constructor(ch: ConfirmChannel, verdict: ConnectionVerdict, scrub: (text: string) => string) {
    this.#ch = ch;
    this.#verdict = verdict;
    this.#scrub = scrub;
    ch.on("error", (err: Error) => {
      this.#serverReason = scrub(err.message);
    });
    ch.on("close", () => {
      this.#open = false;
      this.#wakeDrainWaiters();
    });
    ch.on("drain", () => {
      this.#writable = true;
      this.#wakeDrainWaiters();
    });
    // Published mandatory, an unroutable message comes back (basic.return) before its ack.
    ch.on("return", (msg: Message) => {
      const key = returnKey(msg.properties.messageId, msg.fields.exchange, msg.fields.routingKey);
      const hit = this.#pending.get(key)?.find((p) => p.returned === undefined);
      if (hit !== undefined) {
        const f = msg.fields as Message["fields"] & { replyCode?: number; replyText?: string };
        hit.returned = `${f.replyCode ?? 312} ${f.replyText ?? "NO_ROUTE"}`;
      }
    });
  }

  static async open(
    model: ChannelModel,
    verdict: ConnectionVerdict,
    scrub: (text: string) => string,
  ): Promise<ExchangeChannel> {
    return new ExchangeChannel(await model.createConfirmChannel(), verdict, scrub);
  }

  get isOpen(): boolean {
    return this.#open;
  }

  /** False between a publish that filled amqplib's write buffer and the channel's 'drain'. */
  get writable(): boolean {
    return this.#writable;
  }

  /** Resolves on 'drain' or when the channel closes. */
  drained(): Promise<void> {
    if (this.#writable || !this.#open) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.add(resolve));
  }

  /** Publish and resolve once the broker confirms, refuses, or the channel closes. */
  publish(
    exchange: string,
    routingKey: string,
    body: Buffer,
    options: Options.Publish,
  ): Promise<PublishResult> {
    if (!this.#open) return Promise.resolve(this.#closedResult());
    const key = returnKey(options.messageId, exchange, routingKey);
    const entry: Pending = { key };
    const list = this.#pending.get(key);
    if (list === undefined) this.#pending.set(key, [entry]);
    else list.push(entry);
    return new Promise<PublishResult>((resolve) => {
      const settle = (err: unknown) => {
        this.#forget(entry);
        if (err === null || err === undefined) {
          resolve(entry.returned === undefined ? { ok: true } : { ok: true, returned: entry.returned });
        } else if (err instanceof Error && err.message === "message nacked") {
          resolve({
            ok: false,
            code: "HOOKLINE_AMQP_NACK",
            message: "the broker refused the message (basic.nack)",
            nacked: true,
          });
        } else {
          // amqplib closes the channels before it reports why their connection ended; ask after.
          setImmediate(() => resolve(this.#closedResult()));
        }
      };
      try {
        if (!this.#ch.publish(exchange, routingKey, body, options, settle)) this.#writable = false;
      } catch (err) {
        this.#forget(entry);
        const message = this.#scrub(err instanceof Error ? err.message : String(err));
        resolve(
          (err as { name?: unknown } | null)?.name === "IllegalOperationError"
            ? failed("HOOKLINE_AMQP_CHANNEL_CLOSED", `the channel closed before publishing: ${message}`)
            : failed("HOOKLINE_INVALID_CONFIG", `the message cannot be published: ${message}`),
        );
      }
    });
  }

  /** Close the channel; unconfirmed publishes settle as the connection's verdict says. */
  async close(): Promise<void> {
    if (!this.#open) return;
    this.#open = false;
    await this.#ch.close().catch(() => {});
  }

  #closedResult(): PublishResult {
    const connection = this.#verdict();
    if (connection !== undefined) return connection;
    const reason = this.#serverReason ?? "closed by the client";
    return failed(
      "HOOKLINE_AMQP_CHANNEL_CLOSED",
      `the channel closed before the broker confirmed: ${reason}`,
    );
  }

  #forget(entry: Pending): void {
    const list = this.#pending.get(entry.key);
    if (list === undefined) return;
    const i = list.indexOf(entry);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.#pending.delete(entry.key);
  }

  #wakeDrainWaiters(): void {
    for (const wake of this.#drainWaiters) wake();
    this.#drainWaiters.clear();
  }
}
