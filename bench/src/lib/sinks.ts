import type { Transport } from "@hookline/core";
import { amqpTransport } from "@hookline/transport-amqp";
import { natsTransport } from "@hookline/transport-nats";
import type { CpuGroup } from "./cpu.js";
import { until } from "./wait.js";
import type { Scope } from "./with-scenario.js";

export type SinkName = "http" | "amqp" | "nats";

/** One end-to-end run's destination, opened in the run's scope and closed with it. */
export interface OpenSink {
  readonly url: string;
  /** The endpoint's transport; the bench's HTTP transport when absent. */
  readonly transport?: Transport;
  /** Processes whose CPU is reported beside the bench's and the database server's. */
  readonly cpu: Readonly<Record<string, CpuGroup>>;
  /**
   * What the destination itself saw, checked after the log: every one of `n` messages arrived
   * (absent for HTTP, whose receiver's answers are the attempts' logged responses).
   */
  delivered?(n: number): Promise<{ readonly ok: boolean; readonly detail: string }>;
}

/** Where an end-to-end run sends: the loopback receiver, a RabbitMQ queue or a JetStream stream. */
export interface Sink {
  readonly name: SinkName;
  open(s: Scope, tag: string): Promise<OpenSink>;
}

/** Time for the broker side to catch up with deliveries already logged as succeeded. */
const CATCH_UP_MS = 30_000;

export const httpSink: Sink = {
  name: "http",
  async open(s) {
    const receiver = await s.receiver();
    return { url: receiver.url, cpu: { receiver: [receiver.pid] } };
  },
};

/**
 * A durable queue on the default exchange, consumed as fast as it fills by its own process: a
 * broker ack (a confirm) after RabbitMQ has taken the persistent message is the success.
 */
export const amqpSink: Sink = {
  name: "amqp",
  async open(s, tag) {
    const q = await s.amqpQueue(tag);
    return {
      url: q.url,
      transport: amqpTransport(),
      cpu: { rabbitmq: q.pids.broker, consumer: q.pids.consumer },
      async delivered(n) {
        // A broker may confirm before the consumer has the message; an unconfirmed publish that
        // was retried may arrive twice (at least once), so more than n is not a fault.
        await until(async () => (await q.consumed()) >= n, {
          timeoutMs: CATCH_UP_MS,
          everyMs: 50,
          what: `${n} messages consumed from ${q.name}`,
        }).catch(() => {});
        const seen = await q.consumed();
        return { ok: seen >= n, detail: `the consumer took ${seen} messages off the queue` };
      },
    };
  },
};

/** A stream (file storage) capturing the endpoint's subject: a PubAck is the success. */
export const natsSink: Sink = {
  name: "nats",
  async open(s, tag) {
    const st = await s.natsStream(tag);
    return {
      url: st.url,
      transport: natsTransport(),
      cpu: { "nats-server": st.pids.broker },
      async delivered(n) {
        // The message id makes a retry after a lost PubAck a duplicate the stream stores once.
        const stored = await st.stored();
        return { ok: stored === n, detail: `the stream stored ${stored} messages` };
      },
    };
  },
};

export const SINKS: readonly Sink[] = [httpSink, amqpSink, natsSink];
