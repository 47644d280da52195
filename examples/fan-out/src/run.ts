import { createHookline, type DeliveryDetail, substituteEnv } from "@hookline/core";
import { buyerEvents } from "@hookline/events-buyer";
import { knexStore } from "@hookline/store-knex";
import { amqpTransport } from "@hookline/transport-amqp";
import { httpTransport } from "@hookline/transport-http";
import { natsTransport } from "@hookline/transport-nats";
import { printDeliveryLog } from "@hookline-examples/quickstart/print-log";
import { type Received, startDemoReceiver } from "@hookline-examples/quickstart/receiver";
import { waitUntilSettled } from "@hookline-examples/quickstart/run";
import { type BrokerMessage, openDemoQueue, openDemoStream, runNames } from "./destinations.js";
import config from "./hookline.config.js";

/** Options of the fan-out run (the tests use a temporary database file). */
export interface FanOutOptions {
  /** SQLite file of the delivery log. @default "./hookline.sqlite" (the embedded default) */
  readonly dbFile?: string;
  /** Where the report goes. @default console.log */
  readonly print?: (line: string) => void;
}

/** What the run logged and what each destination's consumer read. */
export interface FanOutResult {
  readonly deliveries: DeliveryDetail[];
  readonly http: Received[];
  readonly amqp: BrokerMessage[];
  readonly nats: BrokerMessage[];
}

/** An endpoint of the config, with its URL and secret substituted from `env`. */
function endpointFor(id: string, env: NodeJS.ProcessEnv): { url: URL; secret: string } {
  const ep = config.endpoints.find((e) => e.id === id);
  if (ep === undefined) throw new Error(`hookline.config.ts: expected an endpoint "${id}"`);
  return {
    url: new URL(substituteEnv(ep.url, ep.id, env)),
    secret: substituteEnv(String(ep.secret), ep.id, env),
  };
}

/**
 * One add_credits event fanned out to an HTTP receiver, a RabbitMQ queue and a JetStream
 * stream through a SQLite log. The queue and the stream are created for the run and deleted
 * after it; each destination's consumer verifies the signature with core's verify().
 */
export async function runFanOut(opts: FanOutOptions = {}): Promise<FanOutResult> {
  const print = opts.print ?? console.log;
  const names = runNames();
  const env: NodeJS.ProcessEnv = { ...process.env, FANOUT_QUEUE: names.queue, FANOUT_SUBJECT: names.subject };
  const crm = endpointFor("crm", env);
  const amqp = endpointFor("billing-queue", env);
  const nats = endpointFor("analytics-stream", env);
  const closers: (() => Promise<void>)[] = [];
  try {
    const receiver = await startDemoReceiver({ [crm.url.pathname]: crm.secret });
    closers.push(() => receiver.close());
    env.RECEIVER_ORIGIN = receiver.origin;
    // The consumers' own connections: the broker of each endpoint's URL, without its query or subject.
    const queue = await openDemoQueue(
      `${amqp.url.protocol}//${amqp.url.username}:${amqp.url.password}@${amqp.url.host}`,
      names.queue,
      amqp.secret,
    );
    closers.push(() => queue.close());
    const stream = await openDemoStream(nats.url.host, names, nats.secret);
    closers.push(() => stream.close());

    const hooks = createHookline({
      plugins: [buyerEvents()],
      endpoints: config.endpoints,
      env,
      store: opts.dbFile
        ? knexStore({
            knex: { client: "better-sqlite3", connection: { filename: opts.dbFile }, useNullAsDefault: true },
          })
        : knexStore(),
      // Each endpoint goes to the transport serving its URL's scheme. The SSRF guard blocks
      // loopback by default; the demo receiver is allowlisted explicitly.
      transports: [httpTransport({ ssrf: { allow: ["127.0.0.1/32"] } }), amqpTransport(), natsTransport()],
      worker: { pollIntervalMs: 200 },
    });
    closers.push(() => hooks.stop());
    await hooks.start();
    const emitted = await hooks.emit("add_credits", {
      buyerId: "0000",
      buyerName: "test",
      postCodeList: ["AB", "BN", "GN"],
      topUpAmount: 100,
    });
    const deliveries = await waitUntilSettled(
      hooks.store,
      emitted.deliveries.map((d) => d.id),
      30_000,
    );
    await consumed([queue.received, stream.received], emitted.eventId, 10_000);
    printDeliveryLog(deliveries, print, { destinations: true });
    print("\nWhat each destination's consumer read");
    for (const r of receiver.received)
      print(
        `  http  ${r.path}: signature ${r.verified ? "verified" : "NOT verified"}, answered ${r.answered}`,
      );
    for (const m of [...queue.received, ...stream.received])
      print(
        `  ${m.destination}  webhook-id ${m.webhookId}: signature ${m.verified ? "verified" : "NOT verified"}`,
      );
    return { deliveries, http: receiver.received, amqp: queue.received, nats: stream.received };
  } finally {
    for (const close of closers.reverse()) await close();
  }
}

/** Wait until every broker consumer has read the event (its delivery succeeding means it was stored). */
async function consumed(
  lists: readonly BrokerMessage[][],
  eventId: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!lists.every((l) => l.some((m) => m.webhookId === eventId)) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
}
