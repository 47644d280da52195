import { randomBytes } from "node:crypto";
import { verify } from "@hookline/core";
import { type ConsumerMessages, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { type NatsConnection, connect as natsConnect } from "@nats-io/transport-node";
import { connect as amqpConnect, type Channel, type ChannelModel } from "amqplib";

/** One message a consumer read from a broker, and whether its signature verified. */
export interface BrokerMessage {
  readonly destination: "amqp" | "nats";
  readonly webhookId: string;
  readonly body: string;
  readonly verified: boolean;
}

/** A destination the example creates for its run and removes afterwards. */
export interface DemoDestination {
  /** Everything its consumer has read so far. */
  readonly received: BrokerMessage[];
  /** Stop consuming, delete the queue or stream, and disconnect. */
  close(): Promise<void>;
}

/**
 * Names for one run's queue, stream and subject: unique, so runs (and tests) on the shared
 * brokers never see each other's messages.
 */
export function runNames(): { queue: string; stream: string; subject: string } {
  const id = randomBytes(4).toString("hex");
  return {
    queue: `hookline-fan-out-${id}`,
    stream: `HOOKLINE_FAN_OUT_${id.toUpperCase()}`,
    subject: `hookline.fan-out.${id}.buyers`,
  };
}

function checked(
  destination: BrokerMessage["destination"],
  body: Buffer,
  headers: Record<string, string>,
  secret: string,
): BrokerMessage {
  let verified = false;
  try {
    verify({ body, headers, secret });
    verified = true;
  } catch {}
  return { destination, webhookId: headers["webhook-id"] ?? "", body: body.toString("utf8"), verified };
}

/**
 * A RabbitMQ queue with a unique name, and a consumer on it that verifies each signature.
 * Hookline publishes through the default exchange, whose routing key is the queue's name.
 */
export async function openDemoQueue(url: string, queue: string, secret: string): Promise<DemoDestination> {
  const model: ChannelModel = await amqpConnect(url, { timeout: 5_000 });
  try {
    const channel: Channel = await model.createChannel();
    await channel.assertQueue(queue, { durable: false });
    const received: BrokerMessage[] = [];
    await channel.consume(
      queue,
      (m) => {
        if (m === null) return;
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(m.properties.headers ?? {})) headers[k.toLowerCase()] = String(v);
        received.push(checked("amqp", m.content, headers, secret));
      },
      { noAck: true },
    );
    return {
      received,
      async close() {
        await channel.deleteQueue(queue).catch(() => {});
        await model.close().catch(() => {});
      },
    };
  } catch (err) {
    await model.close().catch(() => {});
    throw err;
  }
}

/**
 * A JetStream stream with a unique name capturing one subject, and an ordered consumer on it
 * that verifies each signature.
 */
export async function openDemoStream(
  servers: string,
  names: { readonly stream: string; readonly subject: string },
  secret: string,
): Promise<DemoDestination> {
  const { stream, subject } = names;
  const nc: NatsConnection = await natsConnect({ servers, timeout: 5_000 });
  let messages: ConsumerMessages | undefined;
  const jsm = await jetstreamManager(nc).catch(async (err) => {
    await nc.close();
    throw err;
  });
  try {
    await jsm.streams.add({ name: stream, subjects: [subject] });
    const received: BrokerMessage[] = [];
    messages = await (await jetstream(nc).consumers.get(stream)).consume();
    const reading = (async () => {
      for await (const m of messages) {
        const headers: Record<string, string> = {};
        for (const key of m.headers?.keys() ?? []) headers[key.toLowerCase()] = m.headers?.get(key) ?? "";
        received.push(checked("nats", Buffer.from(m.data), headers, secret));
      }
    })();
    return {
      received,
      async close() {
        await messages?.close();
        await reading.catch(() => {});
        await jsm.streams.delete(stream).catch(() => {});
        await nc.close();
      },
    };
  } catch (err) {
    await messages?.close();
    await jsm.streams.delete(stream).catch(() => {});
    await nc.close();
    throw err;
  }
}
