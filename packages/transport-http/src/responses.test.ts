import { RetryPolicy, type Transport } from "@hookline/core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type Receiver, startReceiver } from "./__fixtures__/fault-receiver.js";
import { LOOPBACK_ALLOW, makeRequest, noAbort } from "./__fixtures__/requests.js";
import { httpTransport } from "./http-transport.js";
import { VERSION } from "./version.js";

let rx: Receiver;
let transport: Transport;

beforeAll(async () => {
  rx = await startReceiver();
  transport = httpTransport({ ssrf: LOOPBACK_ALLOW, timeoutMs: 2_000 });
});
afterAll(async () => {
  await transport.close?.();
  await rx.close();
});

const send = (path: string, extra = {}) => transport.send(makeRequest(`${rx.url}${path}`, extra), noAbort());

describe("status classification", () => {
  it("200 is a success carrying status, headers, body and duration", async () => {
    const out = await send("/status/200");
    expect(out).toMatchObject({ kind: "success", status: 200, body: "status 200", bodyTruncated: false });
    expect(out.headers?.["content-type"]).toBe("text/plain");
    expect(out.durationMs).toBeGreaterThanOrEqual(0);
    expect(out.error).toBeUndefined();
  });

  it("204 is a success with an empty body", async () => {
    expect(await send("/status/204")).toMatchObject({ kind: "success", status: 204, body: "" });
  });

  it("sends a POST with core's headers verbatim plus its own user-agent and accept-encoding", async () => {
    const before = rx.requests.length;
    const req = makeRequest(`${rx.url}/status/200`);
    await transport.send(req, noAbort());
    const seen = rx.requests[before]!;
    expect(seen.method).toBe("POST");
    expect(seen.body).toBe(req.body);
    expect(seen.headers).toMatchObject({
      "content-type": "application/json",
      "webhook-id": "evt_1",
      "webhook-timestamp": "1700000000",
      "webhook-signature": "v1,c2lnbmF0dXJl",
      "x-tenant": "acme",
      "user-agent": `Hookline/${VERSION}`,
      "accept-encoding": "identity",
      "content-length": String(Buffer.byteLength(req.body)),
    });
  });

  it("sends the URL's path and query string, never its fragment", async () => {
    const before = rx.requests.length;
    const out = await transport.send(
      makeRequest(`${rx.url}/status/204?tenant=acme&x=a%20b#section`),
      noAbort(),
    );
    expect(out.kind).toBe("success");
    expect(rx.requests[before]!.path).toBe("/status/204?tenant=acme&x=a%20b");
  });

  it("honours a custom userAgent", async () => {
    const t = httpTransport({ ssrf: LOOPBACK_ALLOW, userAgent: "Acme-Hooks/2" });
    const before = rx.requests.length;
    await t.send(makeRequest(`${rx.url}/status/200`), noAbort());
    await t.close?.();
    expect(rx.requests[before]?.headers["user-agent"]).toBe("Acme-Hooks/2");
  });

  it("301 to the metadata address is a failure, not followed, with status and Location recorded", async () => {
    const before = rx.requests.length;
    const out = await send("/redirect-metadata");
    expect(out).toMatchObject({ kind: "retryable", status: 301, error: { code: "HOOKLINE_REDIRECT" } });
    expect(out.headers?.location).toBe("http://169.254.169.254/latest/meta-data/");
    expect(out.error?.message).toContain("169.254.169.254");
    expect(rx.requests.length).toBe(before + 1);
  });

  it("302 to a reachable URL is still not followed", async () => {
    const before = rx.requests.length;
    const out = await send("/redirect-self");
    expect(out).toMatchObject({ kind: "retryable", status: 302, error: { code: "HOOKLINE_REDIRECT" } });
    expect(rx.requests.slice(before).map((r) => r.path)).toEqual(["/redirect-self"]);
  });

  it("410 is permanent and asks to disable the endpoint", async () => {
    expect(await send("/status/410")).toMatchObject({
      kind: "permanent",
      status: 410,
      disableEndpoint: true,
      error: { code: "HOOKLINE_ENDPOINT_GONE" },
    });
  });

  it("410 is an ordinary retryable status with disableOn410: false", async () => {
    const t = httpTransport({ ssrf: LOOPBACK_ALLOW, disableOn410: false });
    const out = await t.send(makeRequest(`${rx.url}/status/410`), noAbort());
    await t.close?.();
    expect(out).toMatchObject({ kind: "retryable", status: 410, error: { code: "HOOKLINE_HTTP_STATUS" } });
    expect(out.disableEndpoint).toBeUndefined();
  });

  it("500 is retryable with HOOKLINE_HTTP_STATUS and its body kept for the log", async () => {
    expect(await send("/status/500")).toMatchObject({
      kind: "retryable",
      status: 500,
      body: "status 500",
      error: { code: "HOOKLINE_HTTP_STATUS" },
    });
  });

  it("other 4xx statuses are retryable too", async () => {
    expect(await send("/status/404")).toMatchObject({ kind: "retryable", status: 404 });
  });
});

describe("Retry-After", () => {
  it.each([429, 502, 503, 504])("%i with Retry-After in seconds", async (status) => {
    const out = await send(`/retry-after/${status}/120`);
    expect(out).toMatchObject({ kind: "retryable", status, retryAfterMs: 120_000 });
  });

  it("429 with Retry-After as an HTTP date", async () => {
    const at = new Date(Date.now() + 90_000).toUTCString();
    const out = await send(`/retry-after/429/${encodeURIComponent(at)}`);
    expect(out.retryAfterMs).toBeGreaterThan(85_000);
    expect(out.retryAfterMs).toBeLessThanOrEqual(90_000);
  });

  it.each(["soon", "-5", "1.5", "12abc", "Thu, 99 Foo 2030"])("ignores garbage %j", async (value) => {
    const out = await send(`/retry-after/429/${encodeURIComponent(value)}`);
    expect(out).toMatchObject({ kind: "retryable", status: 429 });
    expect(out.retryAfterMs).toBeUndefined();
  });

  it("is not honoured on a plain 500", async () => {
    expect((await send("/retry-after/500/120")).retryAfterMs).toBeUndefined();
  });

  it("an absurd Retry-After is bounded by core's retry policy", async () => {
    const out = await send("/retry-after/503/9999999999");
    expect(out.retryAfterMs).toBe(9_999_999_999_000);
    const next = new RetryPolicy({ maxRetryAfterMs: 3_600_000, jitter: 0 }).next(1, out);
    expect(next).toEqual({ status: "pending", delayMs: 3_600_000 });
  });
});

describe("response body cap", () => {
  it("keeps a body of exactly the cap whole", async () => {
    const t = httpTransport({ ssrf: LOOPBACK_ALLOW, maxResponseBytes: 100 });
    const out = await t.send(makeRequest(`${rx.url}/bytes/100`), noAbort());
    await t.close?.();
    expect(out).toMatchObject({ kind: "success", bodyTruncated: false });
    expect(out.body).toHaveLength(100);
  });

  it("cuts a body one byte over the cap and flags it", async () => {
    const t = httpTransport({ ssrf: LOOPBACK_ALLOW, maxResponseBytes: 100 });
    const out = await t.send(makeRequest(`${rx.url}/bytes/101`), noAbort());
    await t.close?.();
    expect(out).toMatchObject({ kind: "success", bodyTruncated: true });
    expect(out.body).toHaveLength(100);
  });

  it("reads 16 KiB of a 100 MB body, drops the socket, and memory stays flat", async () => {
    const rssBefore = process.memoryUsage().rss;
    const started = Date.now();
    const out = await send("/huge");
    await rx.hugeClosed;
    expect(out).toMatchObject({ kind: "success", status: 200, bodyTruncated: true });
    expect(out.body).toHaveLength(16_384);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(rx.hugeBytesSent()).toBeLessThan(10 * 1024 * 1024);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(50 * 1024 * 1024);
  });
});

describe("connections", () => {
  it("reuses keep-alive connections for sequential sends", async () => {
    const local = await startReceiver();
    const t = httpTransport({ ssrf: LOOPBACK_ALLOW });
    for (let i = 0; i < 20; i++) await t.send(makeRequest(`${local.url}/status/200`), noAbort());
    await t.close?.();
    await local.close();
    expect(local.requests).toHaveLength(20);
    // undici marks a pooled client free a tick after its response ends, so a send issued in the
    // same tick may open a second socket; after that both are reused.
    expect(local.connections()).toBeLessThanOrEqual(2);
  });

  it("opens at most connectionsPerOrigin sockets", async () => {
    const local = await startReceiver();
    const t = httpTransport({ ssrf: LOOPBACK_ALLOW, connectionsPerOrigin: 2 });
    const outs = await Promise.all(
      [1, 2, 3, 4, 5, 6].map(() => t.send(makeRequest(`${local.url}/delay/50`), noAbort())),
    );
    await t.close?.();
    await local.close();
    expect(outs.map((o) => o.kind)).toEqual(Array(6).fill("success"));
    expect(local.peakOpen()).toBe(2);
  });

  it("a request still waiting for a pooled socket ends at its own deadline", async () => {
    const local = await startReceiver();
    const t = httpTransport({ ssrf: LOOPBACK_ALLOW, connectionsPerOrigin: 1, timeoutMs: 600 });
    const busy = t.send(makeRequest(`${local.url}/hang`), noAbort());
    const waiting = await t.send(makeRequest(`${local.url}/status/200`, { timeoutMs: 150 }), noAbort());
    expect(waiting).toMatchObject({ kind: "retryable", error: { code: "HOOKLINE_TIMEOUT" } });
    expect(waiting.durationMs).toBeGreaterThanOrEqual(140);
    expect(waiting.durationMs).toBeLessThan(1_000);
    expect((await busy).error?.code).toBe("HOOKLINE_TIMEOUT");
    // The queued request was dropped, not sent late once the socket freed up.
    await new Promise((r) => setTimeout(r, 100));
    expect(local.requests.map((r) => r.path)).toEqual(["/hang"]);
    await t.close?.();
    await local.close();
  });

  it("a request that timed out while queued keeps its per-origin slot until undici drops it", async () => {
    const local = await startReceiver();
    const t = httpTransport({
      ssrf: LOOPBACK_ALLOW,
      connectionsPerOrigin: 1,
      maxInFlightPerOrigin: 2,
      timeoutMs: 400,
    });
    const busy = t.send(makeRequest(`${local.url}/hang`), noAbort());
    const queued = await t.send(makeRequest(`${local.url}/status/200`, { timeoutMs: 100 }), noAbort());
    expect(queued.error?.code).toBe("HOOKLINE_TIMEOUT");
    // Still in undici's queue behind the hanging request: it counts against the limit.
    const refused = await t.send(makeRequest(`${local.url}/status/200`), noAbort());
    expect(refused).toMatchObject({ kind: "retryable", error: { code: "HOOKLINE_NETWORK_ERROR" } });
    expect((await busy).error?.code).toBe("HOOKLINE_TIMEOUT");
    // Once the busy socket is gone undici drops the dead request, and both slots are free again.
    await vi.waitFor(async () => {
      expect((await t.send(makeRequest(`${local.url}/status/200`), noAbort())).kind).toBe("success");
    });
    expect(local.requests.map((r) => r.path)).toEqual(["/hang", "/status/200"]);
    await t.close?.();
    await local.close();
  });

  it("refuses requests past maxInFlightPerOrigin at once, without queueing them", async () => {
    const local = await startReceiver();
    const t = httpTransport({ ssrf: LOOPBACK_ALLOW, maxInFlightPerOrigin: 1, timeoutMs: 300 });
    const first = t.send(makeRequest(`${local.url}/hang`), noAbort());
    const second = await t.send(makeRequest(`${local.url}/status/200`), noAbort());
    expect(second).toMatchObject({ kind: "retryable", error: { code: "HOOKLINE_NETWORK_ERROR" } });
    expect(second.durationMs).toBeLessThan(50);
    expect((await first).error?.code).toBe("HOOKLINE_TIMEOUT");
    // The slot is released once the first attempt ends.
    expect((await t.send(makeRequest(`${local.url}/status/200`), noAbort())).kind).toBe("success");
    await t.close?.();
    await local.close();
  });
});
