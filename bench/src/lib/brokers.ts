import { fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect as natsConnect } from "@nats-io/transport-node";
import { connect as amqpConnect } from "amqplib";
import { pidsOf } from "./cpu.js";
import { ask, closeChild } from "./receiver.js";

// The brokers the transports' tests use, on loopback: RabbitMQ (guest/guest) and NATS with
// JetStream. The same variables override both.
export const AMQP_URL = process.env.HOOKLINE_TEST_AMQP_URL ?? "amqp://guest:guest@127.0.0.1:5672";
export const NATS_URL = process.env.HOOKLINE_TEST_NATS_URL ?? "nats://127.0.0.1:4222";

const DRAIN = fileURLToPath(new URL("../../workers/amqp-drain.mjs", import.meta.url));
const START_TIMEOUT_MS = 10_000;
/** A queue nobody has used for this long is deleted by RabbitMQ: what a killed run leaves expires. */
const QUEUE_EXPIRES_MS = 600_000;
/** Streams named BN_… older than this were left by a killed run; the next run deletes them. */
const STALE_STREAM_MS = 3_600_000;

/** Why RabbitMQ or NATS (with JetStream) cannot be used, or undefined when both answer. */
export async function probeBrokers(): Promise<string | undefined> {
  const problems: string[] = [];
  try {
    const model = await amqpConnect(AMQP_URL, { timeout: 3_000 });
    await model.close();
  } catch (err) {
    problems.push(`RabbitMQ unreachable: ${err instanceof Error ? err.message : String(err)}`);
  }
  try {
    const nc = await natsConnect({ servers: new URL(NATS_URL).host, timeout: 3_000 });
    try {
      await jetstreamManager(nc);
    } finally {
      await nc.close();
    }
  } catch (err) {
    problems.push(`NATS JetStream unreachable: ${err instanceof Error ? err.message : String(err)}`);
  }
  return problems.length === 0 ? undefined : problems.join("; ");
}

const unique = () => `${Date.now().toString(36)}${randomBytes(3).toString("hex")}`;

/** A durable queue on the default exchange, drained by a consumer in its own process. */
export interface BenchQueue {
  readonly name: string;
  /** The endpoint URL publishing to it (default exchange, routing key = queue name). */
  readonly url: string;
  /** The broker's and the consumer's processes, for the CPU split. */
  readonly pids: { readonly broker: readonly number[]; readonly consumer: readonly number[] };
  /** Messages the consumer has taken off the queue. */
  consumed(): Promise<number>;
  /** Stop the consumer, delete the queue, close the admin connection. */
  close(): Promise<void>;
}

export async function openQueue(tag: string): Promise<BenchQueue> {
  const name = `hookline-bench-${tag}-${unique()}`;
  const model = await amqpConnect(AMQP_URL);
  const channel = await model.createChannel().catch(async (err) => {
    await model.close().catch(() => {});
    throw err;
  });
  const removeQueue = async () => {
    try {
      await channel.deleteQueue(name);
    } finally {
      await model.close();
    }
  };
  await channel
    .assertQueue(name, { durable: true, arguments: { "x-expires": QUEUE_EXPIRES_MS } })
    .catch(async (err) => {
      await model.close().catch(() => {});
      throw err;
    });
  const child = fork(DRAIN, [`--url=${AMQP_URL}`, `--queue=${name}`], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("amqp-drain did not start in 10 s")), START_TIMEOUT_MS);
      child.once("message", () => {
        clearTimeout(timer);
        resolve();
      });
      child.once("exit", (code) => reject(new Error(`amqp-drain exited (${code}) before consuming`)));
    });
  } catch (err) {
    child.kill("SIGKILL");
    await exited;
    await removeQueue().catch(() => {});
    throw err;
  }
  return {
    name,
    url: `${AMQP_URL}/?routingKey=${encodeURIComponent(name)}`,
    pids: { broker: pidsOf("beam.smp"), consumer: [child.pid ?? -1] },
    consumed: () => ask<number>(child, "count", "count"),
    close: async () => {
      await closeChild(child, exited);
      await removeQueue();
    },
  };
}

/** A JetStream stream (file storage, the server's defaults) capturing one subject tree. */
export interface BenchStream {
  readonly name: string;
  /** The endpoint URL publishing to a subject the stream captures. */
  readonly url: string;
  readonly pids: { readonly broker: readonly number[] };
  /** Messages the stream holds (a retry the server de-duplicated counts once). */
  stored(): Promise<number>;
  /** Delete the stream and close the admin connection. */
  close(): Promise<void>;
}

export async function openStream(tag: string): Promise<BenchStream> {
  const server = new URL(NATS_URL);
  const nc = await natsConnect({ servers: server.host });
  const id = unique();
  const name = `BN_${tag.toUpperCase()}_${id}`;
  const subject = `bn.${tag}.${id}`;
  try {
    const jsm = await jetstreamManager(nc);
    const cutoff = Date.now() - STALE_STREAM_MS;
    for await (const s of jsm.streams.list()) {
      if (s.config.name.startsWith("BN_") && Date.parse(s.created) < cutoff)
        await jsm.streams.delete(s.config.name).catch(() => {});
    }
    await jsm.streams.add({ name, subjects: [`${subject}.>`] });
    return {
      name,
      url: `nats://${server.host}/${subject}.events`,
      pids: { broker: pidsOf("nats-server") },
      stored: async () => (await jsm.streams.info(name)).state.messages,
      close: async () => {
        try {
          await jsm.streams.delete(name);
        } finally {
          await nc.close();
        }
      },
    };
  } catch (err) {
    await nc.close().catch(() => {});
    throw err;
  }
}
