import { type DeliveryOutcome, type Transport, verify } from "@hookline/core";
import { makeRequest, TEST_SECRET } from "@hookline/core/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { natsTransport } from "../nats-transport.js";
import {
  describeNats,
  headersOf,
  NATS_SERVER,
  retryOf,
  StreamAdmin,
  type TestStream,
} from "./nats-harness.js";
import { TcpProxy } from "./tcp-proxy.js";

const signal = () => new AbortController().signal;
const url = (subject: string) => `nats://${NATS_SERVER.host}:${NATS_SERVER.port}/${subject}`;
const ack = (out: DeliveryOutcome) =>
  JSON.parse(out.body ?? "null") as { stream: string; seq: number; duplicate: boolean };

await describeNats("natsTransport: publishing to JetStream", () => {
  let admin: StreamAdmin;
  let transport: Transport;
  let stream: TestStream;
  beforeAll(async () => {
    admin = await StreamAdmin.open();
    stream = await admin.stream("pub");
    transport = natsTransport({ timeoutMs: 5_000 });
  });
  afterAll(async () => {
    await transport?.close?.();
    await stream?.delete();
    await admin?.close();
  });

  it("publishes the exact signed body with the webhook and endpoint headers; a consumer verifies it", async () => {
    const req = makeRequest(url(stream.subject));
    const out = await transport.send(req, { signal: signal() });
    expect(out.kind, JSON.stringify(out.error)).toBe("success");
    expect(out.error).toBeUndefined();
    expect(out.durationMs).toBeGreaterThanOrEqual(0);
    const body = ack(out);
    expect(body).toMatchObject({ stream: stream.name, duplicate: false });
    expect(Number.isInteger(body.seq) && body.seq > 0).toBe(true);
    const stored = (await stream.messages()).find((m) => m.seq === body.seq);
    expect(stored).toBeDefined();
    if (stored === undefined) return;
    expect(Buffer.from(stored.data).equals(Buffer.from(req.body))).toBe(true);
    const headers = headersOf(stored);
    for (const name of ["content-type", "webhook-id", "webhook-timestamp", "webhook-signature", "x-tenant"]) {
      expect(headers[name], name).toBe(req.headers[name]);
    }
    expect(headers["nats-msg-id"]).toBe(`${req.deliveryId}:0`);
    const verified = verify({ body: stored.string(), headers, secret: TEST_SECRET });
    expect(verified.id).toBe(req.eventId);
  });

  it("stores a retry after a lost acknowledgement only once, and a replay again", async () => {
    const proxy = new TcpProxy(NATS_SERVER);
    await proxy.listen();
    const own = natsTransport({ timeoutMs: 5_000, reconnectTimeWaitMs: 50 });
    try {
      const own_stream = await admin.stream("dedup");
      try {
        const req = makeRequest(proxy.url(own_stream.subject));
        proxy.loseNextAck();
        const lost = await own.send(req, { signal: signal() });
        expect(lost).toMatchObject({ kind: "retryable", error: { code: "HOOKLINE_CONNECTION_RESET" } });
        // The server stored it though the publisher never heard back.
        await expect.poll(async () => (await own_stream.messages()).length, { timeout: 5_000 }).toBe(1);

        const retry = await sendWhenConnected(own, retryOf(req));
        expect(retry.kind, JSON.stringify(retry.error)).toBe("success");
        expect(ack(retry)).toMatchObject({ stream: own_stream.name, seq: 1, duplicate: true });
        expect((await own_stream.messages()).length).toBe(1);

        const replay = await own.send({ ...retryOf(retryOf(req)), replay: 1 }, { signal: signal() });
        expect(replay.kind, JSON.stringify(replay.error)).toBe("success");
        expect(ack(replay)).toMatchObject({ seq: 2, duplicate: false });
        const stored = await own_stream.messages();
        expect(stored.map((m) => headersOf(m)["nats-msg-id"])).toEqual([
          `${req.deliveryId}:0`,
          `${req.deliveryId}:1`,
        ]);
        expect(stored.map((m) => m.string())).toEqual([req.body, req.body]);
      } finally {
        await own_stream.delete();
      }
    } finally {
      await own.close?.();
      await proxy.stop();
    }
  });

  it("publishes a 256 KiB body byte-exact (the server's max_payload allows it)", async () => {
    const bytes = 256 * 1024;
    expect(admin.maxPayload).toBeGreaterThan(bytes + 4096);
    const head = '{"note":"Zoë 😀","pad":"';
    const body = `${head}${"x".repeat(bytes - Buffer.byteLength(`${head}"}`))}"}`;
    const req = makeRequest(url(stream.subject), { body });
    expect(Buffer.byteLength(req.body)).toBe(bytes);
    const out = await transport.send(req, { signal: signal() });
    expect(out.kind, JSON.stringify(out.error)).toBe("success");
    const stored = (await stream.messages()).find((m) => m.seq === ack(out).seq);
    expect(stored && Buffer.from(stored.data).equals(Buffer.from(body))).toBe(true);
    expect(stored && verify({ body: stored.data, headers: headersOf(stored), secret: TEST_SECRET }).id).toBe(
      req.eventId,
    );
  });

  it("refuses a body over the server's max_payload as permanent HOOKLINE_NATS_REJECTED", async () => {
    const body = JSON.stringify({ pad: "x".repeat(admin.maxPayload) });
    const out = await transport.send(makeRequest(url(stream.subject), { body }), { signal: signal() });
    expect(out).toMatchObject({ kind: "permanent", error: { code: "HOOKLINE_NATS_REJECTED" } });
  });

  it("answers a subject no stream captures with a retryable HOOKLINE_NATS_NO_STREAM", async () => {
    const out = await transport.send(makeRequest(url(StreamAdmin.unboundSubject())), { signal: signal() });
    expect(out).toMatchObject({ kind: "retryable", error: { code: "HOOKLINE_NATS_NO_STREAM" } });
    expect(out.body).toBeUndefined();
  });

  it("delivers 50 concurrent sends on one connection, each stored once", async () => {
    const own_stream = await admin.stream("burst");
    try {
      const reqs = Array.from({ length: 50 }, () => makeRequest(url(own_stream.subject)));
      const outs = await Promise.all(reqs.map((r) => transport.send(r, { signal: signal() })));
      expect(outs.filter((o) => o.kind !== "success").map((o) => o.error)).toEqual([]);
      const ids = (await own_stream.messages()).map((m) => headersOf(m)["webhook-id"]).sort();
      expect(ids).toEqual(reqs.map((r) => r.eventId).sort());
    } finally {
      await own_stream.delete();
    }
  });
});

/** Send once the client has reconnected after a cut: until then the transport refuses, unsent. */
async function sendWhenConnected(transport: Transport, req: Parameters<Transport["send"]>[0]) {
  for (let i = 0; ; i++) {
    const out = await transport.send(req, { signal: new AbortController().signal });
    if (out.error?.code !== "HOOKLINE_NATS_DISCONNECTED" || i >= 100) return out;
    await new Promise((r) => setTimeout(r, 50));
  }
}
