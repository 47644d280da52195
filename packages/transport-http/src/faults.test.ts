import { once } from "node:events";
import { createServer as createTlsServer } from "node:https";
import type { LookupFunction } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Receiver, startRawServer, startReceiver } from "./__fixtures__/fault-receiver.js";
import { LOOPBACK_ALLOW, makeRequest, noAbort } from "./__fixtures__/requests.js";
import { SELF_SIGNED_CERT, SELF_SIGNED_KEY } from "./__fixtures__/self-signed.js";
import { httpTransport } from "./http-transport.js";

const DEADLINE = 300;
let rx: Receiver;

beforeAll(async () => {
  rx = await startReceiver();
});
afterAll(() => rx.close());

async function sendOnce(url: string, opts: Parameters<typeof httpTransport>[0] = {}, signal = noAbort()) {
  const t = httpTransport({ ssrf: LOOPBACK_ALLOW, timeoutMs: DEADLINE, ...opts });
  try {
    return await t.send(makeRequest(url), signal);
  } finally {
    await t.close?.();
  }
}

describe("deadlines", () => {
  it("headers that never come end at the total deadline with HOOKLINE_TIMEOUT", async () => {
    const out = await sendOnce(`${rx.url}/hang`);
    expect(out).toMatchObject({ kind: "retryable", error: { code: "HOOKLINE_TIMEOUT" } });
    expect(out.status).toBeUndefined();
    expect(out.durationMs).toBeGreaterThanOrEqual(DEADLINE - 20);
    expect(out.durationMs).toBeLessThan(DEADLINE + 700);
  });

  it("DeliveryRequest.timeoutMs overrides the transport default", async () => {
    const t = httpTransport({ ssrf: LOOPBACK_ALLOW, timeoutMs: 10_000 });
    const out = await t.send(makeRequest(`${rx.url}/hang`, { timeoutMs: 150 }), noAbort());
    await t.close?.();
    expect(out.error?.code).toBe("HOOKLINE_TIMEOUT");
    expect(out.durationMs).toBeLessThan(900);
  });

  it("a body at 1 byte/s is aborted at the total deadline, keeping status and what arrived", async () => {
    const out = await sendOnce(`${rx.url}/trickle/1000`);
    expect(out).toMatchObject({ kind: "retryable", status: 200, body: "x", bodyTruncated: true });
    expect(out.error?.code).toBe("HOOKLINE_TIMEOUT");
    expect(out.durationMs).toBeLessThan(DEADLINE + 700);
  });

  it("a body trickling faster than any idle timeout is still cut at the total deadline", async () => {
    const out = await sendOnce(`${rx.url}/trickle/20`, { timeoutMs: 500 });
    expect(out.error?.code).toBe("HOOKLINE_TIMEOUT");
    expect(out.body?.length).toBeGreaterThan(5);
    expect(out.durationMs).toBeGreaterThanOrEqual(480);
    expect(out.durationMs).toBeLessThan(1_200);
  });

  it("accept then silence ends at the deadline", async () => {
    const raw = await startRawServer(() => {});
    const out = await sendOnce(`http://127.0.0.1:${raw.port}/`);
    await raw.close();
    expect(out).toMatchObject({ kind: "retryable", error: { code: "HOOKLINE_TIMEOUT" } });
    // >= 1, not 1: after an aborted in-flight request undici opens one idle replacement connection
    // (nodejs/undici#5845); it carries no request.
    expect(raw.connections()).toBeGreaterThanOrEqual(1);
  });

  it("a resolver that never answers ends at the connect timeout", async () => {
    const stuck: LookupFunction = () => {};
    const out = await sendOnce("http://receiver.internal:9/", {
      connectTimeoutMs: 150,
      timeoutMs: 5_000,
      lookup: stuck,
      ssrf: { allow: ["receiver.internal"] },
    });
    expect(out).toMatchObject({ kind: "retryable", error: { code: "HOOKLINE_CONNECT_TIMEOUT" } });
    expect(out.durationMs).toBeLessThan(2_000);
  });
});

describe("network failures are retryable outcomes with their own codes", () => {
  it("connection reset (RST)", async () => {
    expect(await sendOnce(`${rx.url}/reset`)).toMatchObject({
      kind: "retryable",
      error: { code: "HOOKLINE_CONNECTION_RESET" },
    });
  });

  it("connection closed before a response", async () => {
    expect(await sendOnce(`${rx.url}/close`)).toMatchObject({
      kind: "retryable",
      error: { code: "HOOKLINE_CONNECTION_RESET" },
    });
  });

  it("connection refused", async () => {
    const raw = await startRawServer(() => {});
    const port = raw.port;
    await raw.close();
    const out = await sendOnce(`http://127.0.0.1:${port}/`);
    expect(out).toMatchObject({ kind: "retryable", error: { code: "HOOKLINE_CONNECTION_REFUSED" } });
  });

  it("an invalid status line", async () => {
    const raw = await startRawServer((s) => s.end("HTTP/1.1 abc Nope\r\n\r\n"));
    const out = await sendOnce(`http://127.0.0.1:${raw.port}/`);
    await raw.close();
    expect(out).toMatchObject({ kind: "retryable", error: { code: "HOOKLINE_INVALID_RESPONSE" } });
  });

  it("non-HTTP garbage", async () => {
    const raw = await startRawServer((s) => s.end("SSH-2.0-OpenSSH_9.6\r\nnot http at all\r\n\r\n"));
    const out = await sendOnce(`http://127.0.0.1:${raw.port}/`);
    await raw.close();
    expect(out).toMatchObject({ kind: "retryable", error: { code: "HOOKLINE_INVALID_RESPONSE" } });
  });

  it("DNS failure", async () => {
    const nxdomain: LookupFunction = (host, _opts, cb) =>
      cb(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" }), "", undefined);
    const out = await sendOnce("http://hooks.example.invalid/", { lookup: nxdomain });
    expect(out).toMatchObject({ kind: "retryable", error: { code: "HOOKLINE_DNS_FAILURE" } });
  });

  it("TLS: an untrusted (self-signed) certificate", async () => {
    const server = createTlsServer({ key: SELF_SIGNED_KEY, cert: SELF_SIGNED_CERT }, (_req, res) =>
      res.end("ok"),
    );
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const { port } = server.address() as { port: number };
    const out = await sendOnce(`https://127.0.0.1:${port}/`);
    server.closeAllConnections();
    server.close();
    expect(out).toMatchObject({ kind: "retryable", error: { code: "HOOKLINE_TLS_FAILURE" } });
    expect(out.error?.message).toMatch(/SELF_SIGNED|self.signed/i);
  });

  it("TLS: https to a plain HTTP port", async () => {
    const out = await sendOnce(`https://127.0.0.1:${rx.port}/status/200`);
    expect(out).toMatchObject({ kind: "retryable", error: { code: "HOOKLINE_TLS_FAILURE" } });
  });
});

describe("abort and lifecycle", () => {
  it("an abort mid-request resolves with HOOKLINE_ABORTED", async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const out = await sendOnce(`${rx.url}/hang`, { timeoutMs: 5_000 }, { signal: ac.signal });
    expect(out).toMatchObject({ kind: "retryable", error: { code: "HOOKLINE_ABORTED" } });
    expect(out.durationMs).toBeLessThan(1_000);
  });

  it("one signal shared by many concurrent sends aborts them all, without a listener leak warning", async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on("warning", onWarning);
    const t = httpTransport({ ssrf: LOOPBACK_ALLOW, timeoutMs: 5_000 });
    const ac = new AbortController();
    const sends = Array.from({ length: 20 }, () =>
      t.send(makeRequest(`${rx.url}/hang`), { signal: ac.signal }),
    );
    setTimeout(() => ac.abort(), 50);
    const outs = await Promise.all(sends);
    await t.close?.();
    await new Promise((r) => setImmediate(r));
    process.off("warning", onWarning);
    expect(outs.map((o) => o.error?.code)).toEqual(Array(20).fill("HOOKLINE_ABORTED"));
    expect(warnings.filter((w) => w.name === "MaxListenersExceededWarning")).toEqual([]);
  });

  it("an already-aborted signal sends nothing", async () => {
    const local = await startReceiver();
    const out = await sendOnce(`${local.url}/status/200`, {}, { signal: AbortSignal.abort() });
    await local.close();
    expect(out.error?.code).toBe("HOOKLINE_ABORTED");
    expect(local.connections()).toBe(0);
  });

  it("a closed transport answers HOOKLINE_ABORTED instead of throwing", async () => {
    const t = httpTransport({ ssrf: LOOPBACK_ALLOW });
    await t.close?.();
    const out = await t.send(makeRequest(`${rx.url}/status/200`), noAbort());
    expect(out).toMatchObject({ kind: "retryable", error: { code: "HOOKLINE_ABORTED" } });
  });

  it("an unparseable URL is a permanent HOOKLINE_INVALID_CONFIG, not a throw", async () => {
    const out = await sendOnce("not a url");
    expect(out).toMatchObject({ kind: "permanent", error: { code: "HOOKLINE_INVALID_CONFIG" } });
  });

  it("a header undici refuses is a permanent HOOKLINE_INVALID_CONFIG, not a throw", async () => {
    const t = httpTransport({ ssrf: LOOPBACK_ALLOW });
    const base = makeRequest(`${rx.url}/status/200`);
    const out = await t.send(
      { ...base, headers: { ...base.headers, "transfer-encoding": "gzip" } },
      noAbort(),
    );
    await t.close?.();
    expect(out).toMatchObject({ kind: "permanent", error: { code: "HOOKLINE_INVALID_CONFIG" } });
  });
});
