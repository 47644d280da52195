import type { LookupFunction } from "node:net";
import { Agent, interceptors, request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Receiver, startRawServer, startReceiver } from "./__fixtures__/fault-receiver.js";
import { makeRequest, noAbort } from "./__fixtures__/requests.js";
import { guardedConnector } from "./guarded-connector.js";
import { httpTransport } from "./http-transport.js";
import { resolveOptions } from "./options.js";

// Canaries listen on loopback and count every TCP connection. Every blocked URL below points at
// one of them, so a guard failure would show up as a connection here, and no test URL can ever
// route off the machine.
type Canary = Awaited<ReturnType<typeof startRawServer>>;
let v4: Canary;
let v4b: Canary;
let v6: Canary;
let rx: Receiver;
let rx6: Receiver;

// Stand-in DNS: public-looking names that resolve to loopback (DNS rebinding).
const loopbackDns: LookupFunction = (host, opts, cb) => {
  const table: Record<string, string> = {
    "rebind.example": "127.0.0.1",
    "mapped.example": "::ffff:127.0.0.1",
    "v6.example": "::1",
    "receiver.internal": "127.0.0.1",
  };
  const address = table[host];
  if (address === undefined) return cb(Object.assign(new Error(host), { code: "ENOTFOUND" }), "", undefined);
  const family = address.includes(":") ? 6 : 4;
  if (opts.all) cb(null, [{ address, family }]);
  else cb(null, address, family);
};

beforeAll(async () => {
  v4 = await startRawServer((s) => s.destroy());
  v4b = await startRawServer((s) => s.destroy(), "127.0.0.2");
  v6 = await startRawServer((s) => s.destroy(), "::1");
  rx = await startReceiver();
  rx6 = await startReceiver(undefined, "::1");
});
afterAll(async () => {
  await Promise.all([v4.close(), v4b.close(), v6.close(), rx.close(), rx6.close()]);
});

const canaryConnections = () => v4.connections() + v4b.connections() + v6.connections();

function blockedUrls(): string[] {
  const p = v4.port;
  return [
    `http://127.0.0.1:${p}/`,
    `http://127.1:${p}/`,
    `http://2130706433:${p}/`,
    `http://0x7f000001:${p}/`,
    `http://0x7f.0.0.1:${p}/`,
    `http://0177.0.0.1:${p}/`,
    `http://017700000001:${p}/`,
    `http://127.000.000.001:${p}/`,
    `http://127.0.0.1.:${p}/`,
    `http://①②⑦.0.0.1:${p}/`,
    `http://１２７.0.0.1:${p}/`,
    `http://%31%32%37.0.0.1:${p}/`,
    `http://[::ffff:127.0.0.1]:${p}/`,
    `http://[::ffff:7f00:1]:${p}/`,
    `http://[0:0:0:0:0:ffff:7f00:1]:${p}/`,
    `http://[::127.0.0.1]:${p}/`,
    `http://0.0.0.0:${p}/`,
    `http://0:${p}/`,
    `http://localhost:${p}/`,
    `http://LocalHost.:${p}/`,
    `http://hooks.localhost:${p}/`,
    `https://127.0.0.1:${p}/`,
    `http://user:pass@127.0.0.1:${p}/`,
    `http://example.com@127.0.0.1:${p}/`,
    `ftp://127.0.0.1:${p}/`,
    `http://rebind.example:${p}/`,
    `http://mapped.example:${p}/`,
    `http://127.0.0.2:${v4b.port}/`,
    `http://[::1]:${v6.port}/`,
    `http://[::]:${v6.port}/`,
    `http://v6.example:${v6.port}/`,
  ];
}

describe("SSRF guard against live canaries", () => {
  it("refuses at least 30 spellings of loopback as permanent HOOKLINE_SSRF_BLOCKED, opening no socket", async () => {
    const t = httpTransport({ lookup: loopbackDns, timeoutMs: 1_000 });
    const urls = blockedUrls();
    expect(urls.length).toBeGreaterThanOrEqual(30);
    const outs = await Promise.all(urls.map((url) => t.send(makeRequest(url), noAbort())));
    await t.close?.();
    outs.forEach((out, i) => {
      expect({ url: urls[i], kind: out.kind, code: out.error?.code }).toEqual({
        url: urls[i],
        kind: "permanent",
        code: "HOOKLINE_SSRF_BLOCKED",
      });
      expect(out.status).toBeUndefined();
    });
    expect(canaryConnections()).toBe(0);
  });

  it("the canaries would have seen a connection: with the guard off the same URL connects", async () => {
    const before = v4.connections();
    const t = httpTransport({ ssrf: { enabled: false }, timeoutMs: 1_000 });
    const out = await t.send(makeRequest(`http://127.0.0.1:${v4.port}/`), noAbort());
    await t.close?.();
    expect(out.error?.code).not.toBe("HOOKLINE_SSRF_BLOCKED");
    expect(v4.connections()).toBe(before + 1);
  });
});

describe("connect-time check of IP literals", () => {
  it("the connector refuses a forbidden literal itself, so a followed redirect could not reach it", async () => {
    const opts = resolveOptions({ ssrf: { allow: ["127.0.0.1/32"] } });
    // A dispatcher that DOES follow redirects, to prove the socket layer holds on its own.
    const agent = new Agent({ connect: guardedConnector(opts) });
    const following = agent.compose(interceptors.redirect({ maxRedirections: 2 }));
    const target = encodeURIComponent(`http://127.0.0.2:${v4b.port}/`);
    const before = canaryConnections();
    const err = await request(`${rx.url}/redirect-to/${target}`, { dispatcher: following }).then(
      () => undefined,
      (e: unknown) => e,
    );
    await agent.close();
    expect((err as { code?: string }).code).toBe("HOOKLINE_SSRF_BLOCKED");
    expect(canaryConnections()).toBe(before);
  });
});

describe("allowlist opens internal receivers, nothing more", () => {
  const allow = { allow: ["127.0.0.1/32", "::1/128", "receiver.internal"] };

  it("allowlisted addresses and names reach the receiver", async () => {
    const t = httpTransport({ ssrf: allow, lookup: loopbackDns });
    const port = rx.port;
    const urls = [
      `http://127.0.0.1:${port}/status/200`,
      `http://2130706433:${port}/status/200`,
      `http://127.1:${port}/status/200`,
      `http://0x7f.0.0.1:${port}/status/200`,
      `http://receiver.internal:${port}/status/200`,
      `http://rebind.example:${port}/status/200`, // resolves into an allowlisted CIDR
      `http://[::1]:${rx6.port}/status/200`,
      `http://v6.example:${rx6.port}/status/200`,
    ];
    const before = rx.requests.length + rx6.requests.length;
    for (const url of urls) {
      expect({ url, kind: (await t.send(makeRequest(url), noAbort())).kind }).toEqual({
        url,
        kind: "success",
      });
    }
    await t.close?.();
    expect(rx.requests.length + rx6.requests.length - before).toBe(urls.length);
  });

  it("other internal destinations stay blocked with the allowlist on", async () => {
    const t = httpTransport({ ssrf: allow, lookup: loopbackDns });
    const before = canaryConnections();
    const p = v4.port;
    const urls = [
      `http://127.0.0.2:${v4b.port}/`,
      `http://localhost:${p}/`,
      `http://0.0.0.0:${p}/`,
      `http://user:pw@127.0.0.1:${p}/`,
      `ftp://127.0.0.1:${p}/`,
    ];
    for (const url of urls) {
      const out = await t.send(makeRequest(url), noAbort());
      expect({ url, code: out.error?.code }).toEqual({ url, code: "HOOKLINE_SSRF_BLOCKED" });
    }
    await t.close?.();
    expect(canaryConnections()).toBe(before);
  });
});
