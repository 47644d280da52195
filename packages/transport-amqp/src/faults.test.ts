import type { Transport } from "@hookline/core";
import { makeRequest } from "@hookline/core/testing";
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from "vitest";
import { BROKER, BrokerAdmin, brokerUrl, describeBroker, type QueueConsumer } from "./__fixtures__/broker.js";
import { connectionFrame, shortstr, silentServer, TcpProxy } from "./__fixtures__/tcp-proxy.js";
import { amqpTransport } from "./amqp-transport.js";

const noAbort = () => ({ signal: new AbortController().signal });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeBroker("amqpTransport: faults, with a TCP proxy in front of the broker", () => {
  let admin: BrokerAdmin;
  let proxy: TcpProxy;
  let transport: Transport;
  let q: QueueConsumer;
  const url = () => brokerUrl(`routingKey=${q.queue}`, proxy.port, "127.0.0.1");
  beforeAll(async () => {
    admin = await BrokerAdmin.open();
  });
  afterAll(async () => {
    await admin?.close();
  });
  beforeEach(async () => {
    q = await admin.queue();
    proxy = await TcpProxy.start({ host: BROKER.host, port: BROKER.port });
    transport = amqpTransport({
      timeoutMs: 3_000,
      reconnectDelayMs: 50,
      maxReconnectDelayMs: 400,
      maxInFlightPerBroker: 4,
    });
  });
  afterEach(async () => {
    await transport.close?.();
    await proxy.close();
  });

  it("broker unreachable at start: HOOKLINE_CONNECTION_REFUSED, then delivered once the path is back", async () => {
    await proxy.cut();
    const out = await transport.send(makeRequest(url()), noAbort());
    expect(out).toMatchObject({ kind: "retryable", error: { code: "HOOKLINE_CONNECTION_REFUSED" } });
    await proxy.restore();
    await sleep(100);
    const req = makeRequest(url());
    expect((await transport.send(req, noAbort())).kind).toBe("success");
    await q.next(req.eventId);
  });

  it("path cut mid-run: the unconfirmed message is HOOKLINE_CONNECTION_RESET, later ones are delivered after reconnecting", async () => {
    expect((await transport.send(makeRequest(url()), noAbort())).kind).toBe("success");
    proxy.hold();
    const inFlight = transport.send(makeRequest(url()), noAbort());
    await sleep(100);
    await proxy.cut();
    expect(await inFlight).toMatchObject({ kind: "retryable", error: { code: "HOOKLINE_CONNECTION_RESET" } });
    const down = await transport.send(makeRequest(url()), noAbort());
    expect(down).toMatchObject({ kind: "retryable", error: { code: "HOOKLINE_CONNECTION_REFUSED" } });
    await proxy.restore();
    await sleep(500);
    const req = makeRequest(url());
    const back = await transport.send(req, noAbort());
    expect(back.kind, JSON.stringify(back.error)).toBe("success");
    await q.next(req.eventId);
    expect(proxy.accepted).toBe(2);
  });

  it("no confirm within the deadline is HOOKLINE_TIMEOUT, on time", async () => {
    expect((await transport.send(makeRequest(url()), noAbort())).kind).toBe("success");
    proxy.hold();
    const t0 = Date.now();
    const out = await transport.send(makeRequest(url(), { timeoutMs: 300 }), noAbort());
    expect(out).toMatchObject({ kind: "retryable", error: { code: "HOOKLINE_TIMEOUT" } });
    expect(Date.now() - t0).toBeLessThan(1_300);
    proxy.release();
  });

  it("past maxInFlightPerBroker unconfirmed messages a send is refused at once (HOOKLINE_AMQP_BACKPRESSURE), not queued", async () => {
    expect((await transport.send(makeRequest(url()), noAbort())).kind).toBe("success");
    proxy.hold();
    const waiting = Array.from({ length: 4 }, () =>
      transport.send(makeRequest(url(), { timeoutMs: 200 }), noAbort()),
    );
    // Timed out, yet still unconfirmed: their slots stay taken until the broker answers.
    expect((await Promise.all(waiting)).map((o) => o.error?.code)).toEqual(Array(4).fill("HOOKLINE_TIMEOUT"));
    const t0 = Date.now();
    const refused = await transport.send(makeRequest(url()), noAbort());
    expect(refused).toMatchObject({ kind: "retryable", error: { code: "HOOKLINE_AMQP_BACKPRESSURE" } });
    expect(Date.now() - t0).toBeLessThan(100);
    proxy.release();
    await expect
      .poll(async () => (await transport.send(makeRequest(url()), noAbort())).kind, { timeout: 5_000 })
      .toBe("success");
  });

  it("respects connection.blocked: waits for unblocked, and past the deadline answers HOOKLINE_AMQP_BACKPRESSURE", async () => {
    expect((await transport.send(makeRequest(url()), noAbort())).kind).toBe("success");
    proxy.inject(connectionFrame(60, shortstr("test alarm")));
    await sleep(50);
    const blocked = await transport.send(makeRequest(url(), { timeoutMs: 200 }), noAbort());
    expect(blocked).toMatchObject({ kind: "retryable", error: { code: "HOOKLINE_AMQP_BACKPRESSURE" } });
    expect(blocked.error?.message).toContain("test alarm");
    const req = makeRequest(url());
    const later = transport.send(req, noAbort());
    await sleep(150);
    proxy.inject(connectionFrame(61));
    expect((await later).kind).toBe("success");
    await q.next(req.eventId);
  });

  it("reconnects with a growing back-off, never in a busy loop", async () => {
    const silent = await silentServer();
    const t = amqpTransport({
      connectTimeoutMs: 50,
      reconnectDelayMs: 100,
      maxReconnectDelayMs: 400,
      timeoutMs: 100,
    });
    try {
      const target = brokerUrl("routingKey=x", silent.port, "127.0.0.1");
      const until = Date.now() + 1_200;
      let sends = 0;
      while (Date.now() < until) {
        const out = await t.send(makeRequest(target), noAbort());
        expect(out.kind).toBe("retryable");
        sends++;
        await sleep(10);
      }
      // Handshakes at about 0, 150, 350, 750 ms (connect timeout + 100, 200, 400 ms waits).
      expect(sends).toBeGreaterThan(20);
      expect(silent.accepted()).toBeGreaterThanOrEqual(3);
      expect(silent.accepted()).toBeLessThanOrEqual(6);
    } finally {
      await t.close?.();
      await silent.close();
    }
  });

  it("a wrong password is HOOKLINE_AMQP_ACCESS_REFUSED, and no message carries the password", async () => {
    const bad = `amqp://guest:wr0ng-S3cret@127.0.0.1:${proxy.port}/?routingKey=${q.queue}`;
    const out = await transport.send(makeRequest(bad), noAbort());
    expect(out).toMatchObject({ kind: "retryable", error: { code: "HOOKLINE_AMQP_ACCESS_REFUSED" } });
    expect(JSON.stringify(out)).not.toContain("wr0ng-S3cret");
  });

  it("an unknown vhost is HOOKLINE_AMQP_ACCESS_REFUSED", async () => {
    const out = await transport.send(
      makeRequest(brokerUrl(`routingKey=x`, proxy.port, "127.0.0.1").replace("/?", "/no-such-vhost-hl?")),
      noAbort(),
    );
    expect(out).toMatchObject({ kind: "retryable", error: { code: "HOOKLINE_AMQP_ACCESS_REFUSED" } });
    expect(out.error?.message).toMatch(/virtual host/);
  });
});
