import { randomBytes } from "node:crypto";
import type { SinkMessage, SinkProbe } from "@hookline/core/testing";
import { type Channel, type ChannelModel, type ConsumeMessage, connect } from "amqplib";
import { describe, it } from "vitest";
import { closedPort, silentServer } from "./tcp-proxy.js";

/** The broker the tests use: HOOKLINE_TEST_AMQP_URL, default the machine's RabbitMQ. */
export const AMQP_URL = process.env.HOOKLINE_TEST_AMQP_URL ?? "amqp://guest:guest@127.0.0.1:5672";
const parsed = new URL(AMQP_URL);
export const BROKER = {
  host: parsed.hostname,
  port: Number(parsed.port || 5672),
  userinfo: parsed.username === "" ? "" : `${parsed.username}:${parsed.password}@`,
};

/** The broker's URL through another host:port (a proxy), with a query for the endpoint. */
export const brokerUrl = (query: string, port = BROKER.port, host = BROKER.host) =>
  `amqp://${BROKER.userinfo}${host}:${port}/${query === "" ? "" : `?${query}`}`;

/** A queue or exchange name no other test or run shares. */
export const uniqueName = (tag: string) => `hookline-test-${tag}-${randomBytes(4).toString("hex")}`;

async function probeBroker(): Promise<string | undefined> {
  try {
    const c = await connect(AMQP_URL, { timeout: 3_000 });
    await c.close();
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

const reachable = await probeBroker();

/**
 * `describe` for suites that need the broker: runs; with CI set and the broker unreachable,
 * fails; otherwise skips under a name that says why.
 */
export function describeBroker(title: string, body: () => void): void {
  if (reachable === undefined) describe(title, body);
  else if (process.env.CI)
    describe(title, () => {
      it("reaches RabbitMQ (required because CI is set)", () => {
        throw new Error(`RabbitMQ at ${BROKER.host}:${BROKER.port} is unreachable: ${reachable}`);
      });
    });
  else describe.skip(`${title} — skipped: RabbitMQ unreachable (${reachable})`, body);
}

/** A consumer of one queue that keeps every message by its webhook-id. */
export interface QueueConsumer {
  readonly queue: string;
  next(eventId: string, timeoutMs?: number): Promise<ConsumeMessage>;
}

/** The tests' own connection: declares and deletes what they use, and consumes. */
export class BrokerAdmin {
  readonly #model: ChannelModel;
  readonly channel: Channel;
  readonly #queues = new Set<string>();
  readonly #exchanges = new Set<string>();

  private constructor(model: ChannelModel, channel: Channel) {
    this.#model = model;
    this.channel = channel;
  }

  static async open(): Promise<BrokerAdmin> {
    const model = await connect(AMQP_URL);
    return new BrokerAdmin(model, await model.createChannel());
  }

  async queue(args: Record<string, unknown> = {}, name = uniqueName("q")): Promise<QueueConsumer> {
    this.#queues.add(name);
    await this.channel.assertQueue(name, { durable: false, arguments: args });
    const seen = new Map<string, ConsumeMessage>();
    const waiters = new Map<string, (m: ConsumeMessage) => void>();
    await this.channel.consume(
      name,
      (m) => {
        if (m === null) return;
        const id = String(m.properties.messageId);
        seen.set(id, m);
        waiters.get(id)?.(m);
      },
      { noAck: true },
    );
    return {
      queue: name,
      next: (eventId, timeoutMs = 10_000) => {
        const hit = seen.get(eventId);
        if (hit !== undefined) return Promise.resolve(hit);
        return new Promise((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`no message ${eventId} on ${name}`)), timeoutMs);
          waiters.set(eventId, (m) => {
            clearTimeout(timer);
            resolve(m);
          });
        });
      },
    };
  }

  async exchange(type: "direct" | "topic" | "fanout", name = uniqueName("x")): Promise<string> {
    this.#exchanges.add(name);
    await this.channel.assertExchange(name, type, { durable: false });
    return name;
  }

  async close(): Promise<void> {
    for (const q of this.#queues) await this.channel.deleteQueue(q).catch(() => {});
    for (const x of this.#exchanges) await this.channel.deleteExchange(x).catch(() => {});
    await this.#model.close().catch(() => {});
  }
}

/** A message as the sink suite compares it: UTF-8 body and string headers. */
export function asSinkMessage(m: ConsumeMessage): SinkMessage {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.properties.headers ?? {})) headers[k.toLowerCase()] = String(v);
  return { body: m.content.toString("utf8"), headers };
}

/** The SinkProbe for the conformance suite: each destination is a fresh queue on the broker. */
export async function amqpProbe(): Promise<SinkProbe> {
  const admin = await BrokerAdmin.open();
  const dead = await closedPort();
  const servers: { close(): Promise<void> }[] = [];
  return {
    async destination() {
      const q = await admin.queue();
      return {
        url: brokerUrl(`routingKey=${q.queue}`),
        received: async (eventId, opts) => asSinkMessage(await q.next(eventId, opts?.timeoutMs)),
        cleanup: async () => {
          await admin.channel.deleteQueue(q.queue).catch(() => {});
        },
      };
    },
    async stalled() {
      const s = await silentServer();
      servers.push(s);
      return { url: brokerUrl("routingKey=stalled", s.port, "127.0.0.1"), cleanup: () => s.close() };
    },
    unreachableUrl: () => brokerUrl("routingKey=nowhere", dead, "127.0.0.1"),
    async close() {
      for (const s of servers) await s.close().catch(() => {});
      await admin.close();
    },
  };
}
