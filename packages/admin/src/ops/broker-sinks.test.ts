import { randomBytes } from "node:crypto";
import { createHookline, type DeliveryStore, type Hookline, TERMINAL_STATUSES, verify } from "@hookline/core";
import { startHttpReceiver, type TestReceiver, until } from "@hookline/core/testing";
import { buyerEvents } from "@hookline/events-buyer";
import { knexStore } from "@hookline/store-knex";
import { amqpTransport } from "@hookline/transport-amqp";
import { httpTransport } from "@hookline/transport-http";
import { natsTransport } from "@hookline/transport-nats";
import { type JetStreamManager, jetstreamManager } from "@nats-io/jetstream";
import { type NatsConnection, connect as natsConnect } from "@nats-io/transport-node";
import { connect as amqpConnect, type Channel, type ChannelModel, type GetMessage } from "amqplib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli } from "../__fixtures__/cli-harness.js";
import { configDir, envRef, jsonConfig } from "../__fixtures__/config-dir.js";
import { sqliteConfig, tempSqliteStore } from "../__fixtures__/sqlite-store.js";
import { endpointOverview } from "./endpoints.js";

// The machine's brokers (CI starts both); names are unique per run and removed afterwards.
const AMQP = process.env.HOOKLINE_TEST_AMQP_URL ?? "amqp://guest:guest@127.0.0.1:5672";
const NATS = process.env.HOOKLINE_TEST_NATS_URL ?? "nats://127.0.0.1:4222";
const amqpHost = new URL(AMQP).host;
const natsHost = new URL(NATS).host;
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const tag = randomBytes(4).toString("hex");
const QUEUE = `hookline-test-admin-${tag}`;
const STREAM = `HLT_ADMIN_${tag}`;
const SUBJECT = `hlt_admin.${tag}.credits`;
// The broker password reaches the transport through ${AMQP_PASS} and must never be stored or shown.
const AMQP_PASS = new URL(AMQP).password || "guest";
const NATS_PASS = "n4ts-not-shown";

/** One endpoint per sink, as a constants file writes them (URLs keep their placeholders). */
const endpoints = (origin: string) => [
  { id: "web", url: `${origin}/web`, events: ["add_credits"], secret: SECRET },
  {
    id: "queue",
    url: `amqp://${new URL(AMQP).username || "guest"}:${envRef("AMQP_PASS")}@${amqpHost}/?routingKey=${QUEUE}`,
    events: ["add_credits"],
    secret: SECRET,
  },
  {
    id: "stream",
    url: `nats://app:${envRef("NATS_PASS")}@${natsHost}/${SUBJECT}`,
    events: ["add_credits"],
    secret: SECRET,
  },
];

describe("one event to an HTTP receiver, a RabbitMQ queue and a JetStream stream", () => {
  let db: Awaited<ReturnType<typeof tempSqliteStore>>;
  let receiver: TestReceiver;
  let amqp: ChannelModel;
  let channel: Channel;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let hooks: Hookline;
  let cfg: ReturnType<typeof configDir>;
  let env: NodeJS.ProcessEnv;
  const run = (argv: readonly string[]) => cli(argv, { cwd: cfg.dir, env });

  beforeAll(async () => {
    db = await tempSqliteStore();
    receiver = await startHttpReceiver();
    amqp = await amqpConnect(AMQP);
    channel = await amqp.createChannel();
    await channel.assertQueue(QUEUE, { durable: false });
    nc = await natsConnect({ servers: natsHost });
    jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: STREAM, subjects: [SUBJECT] });
    env = { HL_DB: db.file, ORIGIN: receiver.baseUrl, AMQP_PASS, NATS_PASS };
    hooks = createHookline({
      plugins: [buyerEvents()],
      endpoints: endpoints(receiver.baseUrl),
      env,
      store: knexStore({ knex: sqliteConfig(db.file) }),
      transports: [httpTransport({ ssrf: { allow: ["127.0.0.1/32"] } }), amqpTransport(), natsTransport()],
      worker: { pollIntervalMs: 50 },
    });
    await hooks.start();
    cfg = configDir({ "hookline.config.json": jsonConfig(endpoints(envRef("ORIGIN"))) });
  });

  afterAll(async () => {
    await hooks?.stop();
    await channel?.deleteQueue(QUEUE).catch(() => undefined);
    await amqp?.close().catch(() => undefined);
    await jsm?.streams.delete(STREAM).catch(() => undefined);
    await nc?.close().catch(() => undefined);
    await receiver?.close();
    await db?.cleanup();
    cfg?.cleanup();
  });

  const settle = (store: DeliveryStore, ids: readonly string[]) =>
    until(
      async () =>
        (await Promise.all(ids.map((id) => store.getDelivery(id)))).every(
          (d) => d !== null && TERMINAL_STATUSES.includes(d.status),
        ),
      { timeoutMs: 15_000, everyMs: 25, what: "the deliveries to settle" },
    );

  async function nextQueued(): Promise<{ body: string; headers: Record<string, string> }> {
    let got: GetMessage | false = false;
    await until(
      async () => {
        got = await channel.get(QUEUE, { noAck: true });
        return got !== false;
      },
      { timeoutMs: 10_000, what: "a message on the queue" },
    );
    const msg = got as GetMessage | false;
    if (msg === false) throw new Error("no message on the queue");
    const headers = Object.fromEntries(
      Object.entries(msg.properties.headers ?? {}).map(([k, v]) => [k, String(v)]),
    );
    return { body: msg.content.toString("utf8"), headers };
  }

  async function storedInStream(seq: number): Promise<{ body: string; headers: Record<string, string> }> {
    const msg = await jsm.streams.getMessage(STREAM, { seq });
    if (!msg) throw new Error(`no message ${seq} in ${STREAM}`);
    const headers: Record<string, string> = {};
    for (const [k] of msg.header ?? []) headers[k.toLowerCase()] = msg.header!.get(k);
    return { body: new TextDecoder().decode(msg.data), headers };
  }

  it("delivers the exact signed bytes to all three, logs each broker's answer, and the admin shows it", async () => {
    const r = await hooks.emit(
      "add_credits",
      { buyerId: "b-1", buyerName: "test", topUpAmount: 100, postCodeList: ["AB"] },
      { wait: "attempted" },
    );
    expect(r.attempts?.map((a) => a.outcome.kind)).toEqual(["success", "success", "success"]);
    const [web] = await receiver.waitFor(1);
    const sent = [
      { body: web!.body, headers: web!.headers as Record<string, string> },
      await nextQueued(),
      await storedInStream(1),
    ];
    for (const { body, headers } of sent) {
      expect(body).toBe(sent[0]!.body);
      expect(verify({ body, headers, secret: SECRET }).id).toBe(r.eventId);
    }

    const byEndpoint = Object.fromEntries(r.deliveries.map((d) => [d.endpointId, d.id]));
    const logged = async (id: string) => (await db.store.getDelivery(byEndpoint[id]!))!.attemptLog[0]!;
    const queued = await logged("queue");
    const streamed = await logged("stream");
    // Credentials given through ${VAR} reach the broker but never the log.
    expect(queued.url).toBe(`amqp://[redacted]@${amqpHost}/?routingKey=[redacted]`);
    expect(streamed.url).toBe(`nats://[redacted]@${natsHost}/${SUBJECT}`);
    expect(JSON.parse(streamed.responseBody!)).toMatchObject({ stream: STREAM, seq: 1, duplicate: false });
    expect(queued.responseBody).toContain(QUEUE);

    const list = JSON.parse((await run(["endpoints", "--json"])).stdout);
    expect(list.map((e: { id: string; destination: string }) => [e.id, e.destination])).toEqual([
      ["web", "http"],
      ["queue", "amqp"],
      ["stream", "nats"],
    ]);
    expect(list.every((e: { state: string }) => e.state === "active")).toBe(true);
    const table = (await run(["endpoints"])).stdout;
    expect(table).toMatch(/│ queue\s+│ amqp\s+│ amqp:\/\/\[redacted\]@/);
    expect(table).not.toContain(AMQP_PASS === "guest" ? "guest:guest" : AMQP_PASS);
    expect(table).not.toContain(NATS_PASS);

    const show = await run(["deliveries", "show", byEndpoint.stream!]);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain(`publish nats://[redacted]@${natsHost}/${SUBJECT}`);
    expect(show.stdout).toMatch(/broker answered[\s\S]*broker answer:[\s\S]*"stream": ?"HLT_ADMIN_/);
    expect(show.stdout).not.toContain(NATS_PASS);

    const stats = JSON.parse((await run(["stats", "--json", "--since", "1h"])).stdout).rows;
    for (const id of ["web", "queue", "stream"]) {
      expect(stats.find((row: { endpointId: string }) => row.endpointId === id)).toMatchObject({
        counts: { succeeded: 1, failed: 0 },
      });
    }

    // An admin replay is delivered again: JetStream stores it as a new message, not a duplicate.
    const replay = await run(["replay", byEndpoint.stream!, byEndpoint.queue!]);
    expect(replay.code).toBe(0);
    await settle(db.store, [byEndpoint.stream!, byEndpoint.queue!]);
    await until(
      async () => ((await db.store.getDelivery(byEndpoint.stream!))?.attemptLog.length ?? 0) === 2,
      {
        timeoutMs: 10_000,
        what: "the replayed attempt",
      },
    );
    const again = await storedInStream(2);
    expect(again.body).toBe(sent[0]!.body);
    expect(verify({ body: again.body, headers: again.headers, secret: SECRET }).id).toBe(r.eventId);
    expect((await nextQueued()).body).toBe(sent[0]!.body);
    const replayed = (await db.store.getDelivery(byEndpoint.stream!))!;
    expect(replayed.status).toBe("succeeded");
    expect(JSON.parse(replayed.attemptLog[1]!.responseBody!)).toMatchObject({ seq: 2, duplicate: false });
  });

  it("shows an endpoint whose broker refuses the login as misconfigured", async () => {
    const wrong = createHookline({
      plugins: [buyerEvents()],
      endpoints: [
        {
          id: "locked",
          url: `amqp://guest:${envRef("WRONG_PASS")}@${amqpHost}/?routingKey=${QUEUE}`,
          events: ["add_credits"],
          secret: SECRET,
          retrySchedule: [60_000],
        },
      ],
      env: { WRONG_PASS: "not-the-password" },
      store: knexStore({ knex: sqliteConfig(db.file) }),
      transport: amqpTransport(),
      worker: { enabled: false },
    });
    try {
      const r = await wrong.emit(
        "add_credits",
        { buyerId: "b-2", buyerName: "test", topUpAmount: 1, postCodeList: ["AB"] },
        { wait: "attempted" },
      );
      expect(r.attempts?.[0]?.outcome.error?.code).toBe("HOOKLINE_AMQP_ACCESS_REFUSED");
      const [view] = await endpointOverview(db.store, wrong.endpoints, {
        since: new Date(0),
        until: new Date(Date.now() + 60_000),
      });
      expect(view).toMatchObject({
        id: "locked",
        destination: "amqp",
        state: "misconfigured",
        lastErrorCode: "HOOKLINE_AMQP_ACCESS_REFUSED",
      });
      expect(JSON.stringify(view)).not.toContain("not-the-password");
    } finally {
      await wrong.stop();
    }
  });
});

describe("broker URLs are checked at construction by the routed transport", () => {
  const PASS = "pw-never-echoed";
  it.each([
    [
      "an unknown query parameter",
      `amqp://u:${PASS}@127.0.0.1/?exchnage=orders`,
      /unknown query parameter "exchnage"/,
    ],
    [
      "an exchange name with illegal characters",
      `amqp://u:${PASS}@127.0.0.1/?exchange=bad%20name!`,
      /exchange/,
    ],
    ["a missing subject", `nats://u:${PASS}@127.0.0.1:4222/`, /subject/i],
    ["a NATS URL without a host", "nats:///orders.placed", /no host/],
  ])("%s names the endpoint and never the password", (_what, url, reason) => {
    let message = "";
    try {
      createHookline({
        plugins: [buyerEvents()],
        endpoints: [{ id: "sink", url, events: ["add_credits"], secret: SECRET }],
        store: knexStore({ knex: sqliteConfig(":memory:") }),
        transports: [httpTransport(), amqpTransport(), natsTransport()],
      });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^HOOKLINE_INVALID_CONFIG: endpoint "sink"/);
    expect(message).toMatch(reason);
    expect(message).not.toContain(PASS);
  });
});
