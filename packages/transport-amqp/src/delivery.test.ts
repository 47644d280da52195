import type { DeliveryOutcome, Transport } from "@hookline/core";
import { verify } from "@hookline/core";
import { makeRequest, TEST_SECRET } from "@hookline/core/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  asSinkMessage,
  BROKER,
  BrokerAdmin,
  brokerUrl,
  describeBroker,
  uniqueName,
} from "./__fixtures__/broker.js";
import { TcpProxy } from "./__fixtures__/tcp-proxy.js";
import { amqpTransport } from "./amqp-transport.js";

const noAbort = () => ({ signal: new AbortController().signal });
const bodyOf = (out: DeliveryOutcome) => JSON.parse(out.body ?? "null");

describeBroker("amqpTransport: what reaches the broker", () => {
  let admin: BrokerAdmin;
  let transport: Transport;
  beforeAll(async () => {
    admin = await BrokerAdmin.open();
    transport = amqpTransport({ timeoutMs: 10_000 });
  });
  afterAll(async () => {
    await transport?.close?.();
    await admin?.close();
  });

  it("publishes a persistent message with the signed bytes, its properties and headers; the consumer verifies it", async () => {
    const q = await admin.queue();
    const req = makeRequest(brokerUrl(`routingKey=${q.queue}`), { timeoutMs: 10_000 });
    const out = await transport.send(req, noAbort());
    expect(out).toMatchObject({ kind: "success" });
    expect(bodyOf(out)).toEqual({ exchange: "", routingKey: q.queue, ack: true });
    const m = await q.next(req.eventId);
    expect(m.content.equals(Buffer.from(req.body, "utf8"))).toBe(true);
    expect(m.properties).toMatchObject({
      contentType: "application/json",
      messageId: req.eventId,
      type: "add_credits",
      deliveryMode: 2,
      timestamp: Number(req.headers["webhook-timestamp"]),
    });
    expect(m.properties.headers).toEqual({
      "webhook-id": req.headers["webhook-id"],
      "webhook-timestamp": req.headers["webhook-timestamp"],
      "webhook-signature": req.headers["webhook-signature"],
      "x-tenant": "t-1",
    });
    const msg = asSinkMessage(m);
    expect(verify({ body: m.content, headers: msg.headers, secret: TEST_SECRET }).id).toBe(req.eventId);
  });

  it("publishes to the URL's exchange, with the event code as routing key when the URL names none", async () => {
    const exchange = await admin.exchange("direct");
    const q = await admin.queue();
    await admin.channel.bindQueue(q.queue, exchange, "add_credits");
    const req = makeRequest(brokerUrl(`exchange=${exchange}`));
    const out = await transport.send(req, noAbort());
    expect(bodyOf(out)).toEqual({ exchange, routingKey: "add_credits", ack: true });
    expect((await q.next(req.eventId)).fields).toMatchObject({ exchange, routingKey: "add_credits" });
  });

  it("answers an unroutable message (returned, as it is mandatory) with a retryable HOOKLINE_AMQP_UNROUTABLE", async () => {
    const out = await transport.send(makeRequest(brokerUrl(`routingKey=${uniqueName("none")}`)), noAbort());
    expect(out).toMatchObject({ kind: "retryable", error: { code: "HOOKLINE_AMQP_UNROUTABLE" } });
    expect(bodyOf(out)).toMatchObject({ ack: true, returned: "312 NO_ROUTE" });
  });

  it("answers a nack from a full reject-publish queue with a retryable HOOKLINE_AMQP_NACK", async () => {
    // No consumer: the first message fills the queue, the broker nacks the second.
    const full = uniqueName("full");
    await admin.channel.assertQueue(full, {
      durable: false,
      autoDelete: true,
      arguments: { "x-max-length": 1, "x-overflow": "reject-publish" },
    });
    try {
      const url = brokerUrl(`routingKey=${full}`);
      expect((await transport.send(makeRequest(url), noAbort())).kind).toBe("success");
      const out = await transport.send(makeRequest(url), noAbort());
      expect(out).toMatchObject({ kind: "retryable", error: { code: "HOOKLINE_AMQP_NACK" } });
      expect(bodyOf(out)).toEqual({ exchange: "", routingKey: full, ack: false });
    } finally {
      await admin.channel.deleteQueue(full);
    }
  });

  it("a missing exchange closes only its own channel (HOOKLINE_AMQP_CHANNEL_CLOSED); other endpoints go on", async () => {
    const q = await admin.queue();
    const good = brokerUrl(`routingKey=${q.queue}`);
    const missing = brokerUrl(`exchange=${uniqueName("nox")}&routingKey=k`);
    expect((await transport.send(makeRequest(good), noAbort())).kind).toBe("success");
    const [bad, ...ok] = await Promise.all([
      transport.send(makeRequest(missing), noAbort()),
      ...Array.from({ length: 5 }, () => transport.send(makeRequest(good), noAbort())),
    ]);
    expect(bad).toMatchObject({ kind: "retryable", error: { code: "HOOKLINE_AMQP_CHANNEL_CLOSED" } });
    expect(bad?.error?.message).toMatch(/NOT.FOUND/);
    expect(ok.map((o) => o.kind)).toEqual(Array(5).fill("success"));
    // A new channel is opened for the next attempt.
    expect((await transport.send(makeRequest(missing), noAbort())).error?.code).toBe(
      "HOOKLINE_AMQP_CHANNEL_CLOSED",
    );
    expect((await transport.send(makeRequest(good), noAbort())).kind).toBe("success");
  });

  it("shares one connection per broker login across endpoints, and close() releases it", async () => {
    const proxy = await TcpProxy.start({ host: BROKER.host, port: BROKER.port });
    const own = amqpTransport();
    try {
      const [a, b] = [await admin.queue(), await admin.queue()];
      const outs = await Promise.all(
        [a, b, a, b].map((q) =>
          own.send(makeRequest(brokerUrl(`routingKey=${q.queue}`, proxy.port, "127.0.0.1")), noAbort()),
        ),
      );
      expect(outs.map((o) => o.kind)).toEqual(["success", "success", "success", "success"]);
      expect(proxy.accepted).toBe(1);
      await own.close?.();
      await own.close?.();
      await expect.poll(() => proxy.open).toBe(0);
      const after = await own.send(
        makeRequest(brokerUrl(`routingKey=${a.queue}`, proxy.port, "127.0.0.1")),
        noAbort(),
      );
      expect(after).toMatchObject({ kind: "retryable", error: { code: "HOOKLINE_ABORTED" } });
      expect(proxy.accepted).toBe(1);
    } finally {
      await own.close?.();
      await proxy.close();
    }
  });

  it("delivers a burst of 40 bodies of 256 KiB (past amqplib's write buffer) once each", async () => {
    const q = await admin.queue();
    const body = JSON.stringify({ pad: "é".repeat(128 * 1024 - 20) });
    const reqs = Array.from({ length: 40 }, () => makeRequest(brokerUrl(`routingKey=${q.queue}`), { body }));
    const outs = await Promise.all(reqs.map((r) => transport.send(r, noAbort())));
    expect(outs.filter((o) => o.kind !== "success").map((o) => o.error)).toEqual([]);
    for (const r of reqs) expect((await q.next(r.eventId)).content.toString("utf8")).toBe(body);
  });
});
