import { BODY_BYTES } from "../lib/payload.js";
import type { Check, Figure, RoundResult, Scenario } from "../lib/scenario.js";
import { SINKS, type Sink } from "../lib/sinks.js";
import { endToEnd } from "./end-to-end.js";

const sizes = (quick: boolean) => ({ events: quick ? 300 : 10_000 });

/**
 * The sinks in a round's order: rotated by one each round, so no sink always runs first (on a
 * cold cache) or last (after the others' garbage and MariaDB's purge).
 */
export function sinkOrder(round: number, sinks: readonly Sink[] = SINKS): Sink[] {
  const k = (round - 1) % sinks.length;
  return [...sinks.slice(k), ...sinks.slice(0, k)];
}

/** 9. Scenario 3's durable run on MariaDB, once per sink: HTTP, a RabbitMQ queue, a JetStream stream. */
export const sinks: Scenario = {
  id: "9",
  title: "Sinks end to end (MariaDB durable: HTTP, RabbitMQ, NATS JetStream)",
  settings: (quick) => ({
    ...sizes(quick),
    mode: "durable",
    order: "http, amqp, nats in round 1, rotated by one each round",
    http: "the loopback receiver process (as scenario 3)",
    amqp: "amqpTransport() defaults; a durable queue on the default exchange (persistent messages, publisher confirms), drained by a consumer process with automatic acks",
    nats: "natsTransport() defaults; a JetStream stream with file storage capturing the endpoint's subject",
    hookline: "product defaults (maxInFlight 256, maxQueued 8192, insertBatchSize 500, insertConcurrency 2)",
    bodyBytes: BODY_BYTES,
  }),
  async round(ctx): Promise<RoundResult> {
    const figures: Figure[] = [];
    const checks: Check[] = [];
    let info: Record<string, unknown> = {};
    for (const sink of sinkOrder(ctx.round)) {
      const r = await endToEnd("mariadb", "durable", sizes(ctx.quick).events, {
        sink,
        key: `sinks.${sink.name}`,
        label: `${sink.name} sink (mariadb durable)`,
      });
      figures.push(...r.figures);
      checks.push(r.check);
      info = { ...info, ...r.info };
    }
    return { figures, checks, info };
  },
};
