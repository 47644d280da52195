import type { LookupFunction } from "node:net";
import {
  type DeliveryRequest,
  decodeSecret,
  type EndpointTls,
  generateSecret,
  signatureHeaders,
  verify,
} from "@hookline/core";
import {
  CLIENT_CERT,
  CLIENT_CN,
  CLIENT_KEY,
  CLIENT_KEY_ENCRYPTED,
  SERVER_127_CERT,
  SERVER_127_KEY,
  SERVER_NAME,
  SERVER_NAMED_CERT,
  SERVER_NAMED_KEY,
  TEST_CA_CERT,
  TEST_CLIENT_PASSPHRASE,
  until,
} from "@hookline/core/testing";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { LOOPBACK_ALLOW, makeRequest, noAbort } from "./__fixtures__/requests.js";
import { SELF_SIGNED_CERT, SELF_SIGNED_KEY } from "./__fixtures__/self-signed.js";
import { startTlsReceiver, type TlsReceiver } from "./__fixtures__/tls-receiver.js";
import { httpTransport } from "./http-transport.js";

const trustCa: EndpointTls = Object.freeze({ ca: Object.freeze([TEST_CA_CERT]) });
const mutual = (extra: Partial<EndpointTls>): EndpointTls =>
  Object.freeze({ ca: Object.freeze([TEST_CA_CERT]), ...extra });

const transport = httpTransport({ ssrf: LOOPBACK_ALLOW, timeoutMs: 5_000 });
afterAll(() => transport.close?.());

const servers: TlsReceiver[] = [];
async function receiver(...args: Parameters<typeof startTlsReceiver>): Promise<TlsReceiver> {
  const rx = await startTlsReceiver(...args);
  servers.push(rx);
  return rx;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const send = (url: string, tls?: EndpointTls, t = transport) =>
  t.send(makeRequest(`${url}/hook`, tls === undefined ? {} : { tls }), noAbort());

describe("a receiver behind a private CA", () => {
  it("fails as HOOKLINE_TLS_FAILURE without tls.ca and never sends the body", async () => {
    const rx = await receiver({ cert: SERVER_127_CERT, key: SERVER_127_KEY });
    const out = await send(rx.url);
    expect(out).toMatchObject({ kind: "retryable", error: { code: "HOOKLINE_TLS_FAILURE" } });
    expect(rx.requests).toHaveLength(0);
  });

  it("delivers with tls.ca, and the receiver verifies the signed body", async () => {
    const rx = await receiver({ cert: SERVER_127_CERT, key: SERVER_127_KEY });
    const secret = generateSecret();
    const body = JSON.stringify({ buyerId: "b-9", credits: 3 });
    const now = Math.floor(Date.now() / 1000);
    const req: DeliveryRequest = {
      ...makeRequest(`${rx.url}/hook`),
      body,
      headers: {
        "content-type": "application/json",
        ...signatureHeaders({
          id: "evt_1",
          timestampSec: now,
          body,
          keys: [decodeSecret(secret) as Uint8Array],
        }),
      },
      tls: trustCa,
    };
    const out = await transport.send(req, noAbort());
    expect(out).toMatchObject({ kind: "success", status: 200 });
    expect(rx.requests).toHaveLength(1);
    const seen = rx.requests[0]!;
    expect(seen.body).toBe(body);
    const verified = verify({ body: seen.body, headers: seen.headers, secret, now: new Date(now * 1000) });
    expect(verified.payload).toEqual({ buyerId: "b-9", credits: 3 });
  });

  it("does not let the private CA's pool serve endpoints without tls", async () => {
    const rx = await receiver({ cert: SERVER_127_CERT, key: SERVER_127_KEY });
    expect((await send(rx.url, trustCa)).kind).toBe("success");
    // Same origin, a live keep-alive connection on the TLS pool: the plain endpoint must still fail.
    const out = await send(rx.url);
    expect(out).toMatchObject({ error: { code: "HOOKLINE_TLS_FAILURE" } });
  });
});

describe("a receiver that requires a client certificate", () => {
  const mtlsServer = () =>
    receiver({
      cert: SERVER_127_CERT,
      key: SERVER_127_KEY,
      ca: TEST_CA_CERT,
      requestCert: true,
      rejectUnauthorized: true,
    });

  it("fails without a client certificate, and the receiver refused the handshake", async () => {
    const rx = await mtlsServer();
    const out = await send(rx.url, trustCa);
    // Without a certificate of its own the endpoint skips the TLS 1.3 confirmation wait, so the
    // refusal may arrive as the alert or as the reset that follows it.
    expect(out.kind).toBe("retryable");
    expect(["HOOKLINE_TLS_FAILURE", "HOOKLINE_CONNECTION_RESET"]).toContain(out.error?.code);
    expect(rx.requests).toHaveLength(0);
    await until(() => rx.refusedHandshakes === 1, {
      timeoutMs: 2_000,
      everyMs: 10,
      what: "the refused handshake",
    });
  });

  it("fails as HOOKLINE_TLS_FAILURE with a certificate the receiver's CA did not sign", async () => {
    const rx = await mtlsServer();
    const out = await send(rx.url, mutual({ cert: SELF_SIGNED_CERT, key: SELF_SIGNED_KEY }));
    expect(out).toMatchObject({ kind: "retryable", error: { code: "HOOKLINE_TLS_FAILURE" } });
    expect(out.error!.message).toMatch(/ALERT_UNKNOWN_CA|ALERT_BAD_CERTIFICATE|TLS handshake/i);
    expect(rx.requests).toHaveLength(0);
  });

  it("delivers with cert and key, and the receiver sees the client's CN", async () => {
    const rx = await mtlsServer();
    const out = await send(rx.url, mutual({ cert: CLIENT_CERT, key: CLIENT_KEY }));
    expect(out).toMatchObject({ kind: "success", status: 200 });
    expect(rx.requests.map((r) => r.clientCn)).toEqual([CLIENT_CN]);
  });

  it("delivers with an encrypted key and its passphrase", async () => {
    const rx = await mtlsServer();
    const tls = mutual({ cert: CLIENT_CERT, key: CLIENT_KEY_ENCRYPTED, passphrase: TEST_CLIENT_PASSPHRASE });
    const out = await send(rx.url, tls);
    expect(out).toMatchObject({ kind: "success", status: 200 });
    expect(rx.requests.map((r) => r.clientCn)).toEqual([CLIENT_CN]);
  });

  it("refuses unusable key material as permanent config, without quoting it or connecting", async () => {
    const rx = await mtlsServer();
    const wrong = "not-the-passphrase-7c1e";
    const out = await send(
      rx.url,
      mutual({ cert: CLIENT_CERT, key: CLIENT_KEY_ENCRYPTED, passphrase: wrong }),
    );
    expect(out).toMatchObject({ kind: "permanent", error: { code: "HOOKLINE_INVALID_CONFIG" } });
    expect(out.error!.message).not.toContain(wrong);
    expect(out.error!.message).not.toContain("PRIVATE KEY");
    expect(rx.handshakes + rx.refusedHandshakes).toBe(0);
  });
});

describe("servername", () => {
  it("checks the certificate against tls.servername and sends it in SNI", async () => {
    const rx = await receiver({ cert: SERVER_NAMED_CERT, key: SERVER_NAMED_KEY });
    const out = await send(rx.url, mutual({ servername: SERVER_NAME }));
    expect(out).toMatchObject({ kind: "success", status: 200 });
    expect(rx.requests.map((r) => r.servername)).toEqual([SERVER_NAME]);
  });

  it("without it, the name mismatch is HOOKLINE_TLS_FAILURE", async () => {
    const rx = await receiver({ cert: SERVER_NAMED_CERT, key: SERVER_NAMED_KEY });
    const out = await send(rx.url, trustCa);
    expect(out).toMatchObject({ kind: "retryable", error: { code: "HOOKLINE_TLS_FAILURE" } });
    expect(out.error!.message).toMatch(/ERR_TLS_CERT_ALTNAME_INVALID/);
  });
});

describe("the SSRF guard applies to TLS endpoints as to any other", () => {
  it("refuses a loopback IP literal before connecting", async () => {
    const rx = await receiver({ cert: SERVER_127_CERT, key: SERVER_127_KEY });
    const guarded = httpTransport();
    try {
      const out = await send(rx.url, trustCa, guarded);
      expect(out).toMatchObject({ kind: "permanent", error: { code: "HOOKLINE_SSRF_BLOCKED" } });
      expect(rx.handshakes + rx.refusedHandshakes).toBe(0);
    } finally {
      await guarded.close?.();
    }
  });

  it("judges a name at connect time, even when the servername is overridden", async () => {
    const rx = await receiver({ cert: SERVER_NAMED_CERT, key: SERVER_NAMED_KEY });
    const port = new URL(rx.url).port;
    // A public-looking name that resolves to loopback (DNS rebinding, or a hostile record).
    const lookup = ((_host: string, opts: { all?: boolean }, cb: (...a: unknown[]) => void) =>
      opts.all
        ? cb(null, [{ address: "127.0.0.1", family: 4 }])
        : cb(null, "127.0.0.1", 4)) as LookupFunction;
    const guarded = httpTransport({ lookup });
    try {
      const out = await guarded.send(
        makeRequest(`https://hooks.example.com:${port}/hook`, { tls: mutual({ servername: SERVER_NAME }) }),
        noAbort(),
      );
      expect(out).toMatchObject({ kind: "permanent", error: { code: "HOOKLINE_SSRF_BLOCKED" } });
      expect(rx.handshakes + rx.refusedHandshakes).toBe(0);
    } finally {
      await guarded.close?.();
    }
  });
});

describe("pools", () => {
  it("keeps one keep-alive pool per tls object", async () => {
    const rx = await receiver({ cert: SERVER_127_CERT, key: SERVER_127_KEY });
    // One connection per pool, so a second handshake can only come from a second pool.
    const t = httpTransport({ ssrf: LOOPBACK_ALLOW, connectionsPerOrigin: 1 });
    try {
      const tls = mutual({});
      for (let i = 0; i < 3; i++) expect((await send(rx.url, tls, t)).kind).toBe("success");
      expect(rx.handshakes).toBe(1);
      // Equal settings in another object belong to another endpoint: its own pool.
      expect((await send(rx.url, mutual({}), t)).kind).toBe("success");
      expect(rx.handshakes).toBe(2);
    } finally {
      await t.close?.();
    }
  });

  it("counts TLS requests against maxInFlightPerOrigin", async () => {
    const rx = await receiver({ cert: SERVER_127_CERT, key: SERVER_127_KEY }, 300);
    const t = httpTransport({ ssrf: LOOPBACK_ALLOW, maxInFlightPerOrigin: 1 });
    try {
      const first = send(rx.url, trustCa, t);
      const second = await send(rx.url, mutual({}), t);
      expect(second).toMatchObject({ kind: "retryable", error: { code: "HOOKLINE_NETWORK_ERROR" } });
      expect(second.error!.message).toMatch(/1 requests already in flight/);
      expect((await first).kind).toBe("success");
    } finally {
      await t.close?.();
    }
  });

  it("close() closes the TLS pools' connections", async () => {
    const rx = await receiver({ cert: SERVER_127_CERT, key: SERVER_127_KEY });
    const t = httpTransport({ ssrf: LOOPBACK_ALLOW, keepAliveTimeoutMs: 60_000 });
    expect((await send(rx.url, trustCa, t)).kind).toBe("success");
    expect(rx.openConnections).toBe(1);
    await t.close?.();
    await until(() => rx.openConnections === 0, {
      timeoutMs: 2_000,
      everyMs: 10,
      what: "no open connection",
    });
    expect(await send(rx.url, trustCa, t)).toMatchObject({ error: { code: "HOOKLINE_ABORTED" } });
  });

  it("refuses tls settings on an http: URL instead of sending in clear text", async () => {
    const out = await send("http://127.0.0.1:9", trustCa);
    expect(out).toMatchObject({ kind: "permanent", error: { code: "HOOKLINE_INVALID_CONFIG" } });
  });
});
