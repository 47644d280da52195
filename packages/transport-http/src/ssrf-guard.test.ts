import type { LookupAddress } from "node:dns";
import type { LookupFunction } from "node:net";
import { describe, expect, it } from "vitest";
import { resolveOptions } from "./options.js";
import { checkUrl, guardedLookup, type SsrfPolicy } from "./ssrf-guard.js";

const strict = resolveOptions({}).ssrf;
const allowing = resolveOptions({
  ssrf: { allow: ["127.0.0.1/32", "::1/128", "10.1.0.0/16", "receiver.internal", "*.svc.internal"] },
}).ssrf;
const disabled = resolveOptions({ ssrf: { enabled: false } }).ssrf;

// Every notation and range the guard must refuse before any socket exists: pure, no network.
const BLOCKED: readonly string[] = [
  // loopback in every IPv4 notation the WHATWG parser accepts
  "http://127.0.0.1/",
  "http://127.1/",
  "http://2130706433/",
  "http://0x7f000001/",
  "http://0x7f.0.0.1/",
  "http://0177.0.0.1/",
  "http://017700000001/",
  "http://127.000.000.001/",
  "http://127.0.0.1./",
  "http://%31%32%37.0.0.1/",
  "http://①②⑦.0.0.1/",
  "http://１２７.0.0.1/",
  "http://127.255.255.254:8080/",
  // IPv6 loopback, unspecified, IPv4-mapped and IPv4-compatible forms
  "http://[::1]/",
  "http://[0:0:0:0:0:0:0:1]/",
  "http://[::]/",
  "http://[::ffff:127.0.0.1]/",
  "http://[::ffff:7f00:1]/",
  "http://[0:0:0:0:0:ffff:7f00:1]/",
  "http://[::127.0.0.1]/",
  "http://[::ffff:169.254.169.254]/",
  "http://[::ffff:10.0.0.1]/",
  // names
  "http://localhost/",
  "http://LOCALHOST:3000/",
  "http://localhost./",
  "http://hooks.localhost/",
  // unspecified, private, link-local (cloud metadata), CGNAT
  "http://0.0.0.0/",
  "http://0/",
  "http://10.0.0.1/",
  "http://10.255.255.255/",
  "http://172.16.0.1/",
  "http://172.31.255.255/",
  "http://192.168.1.1/",
  "http://169.254.169.254/latest/meta-data/",
  "http://0xa9fea9fe/",
  "http://2852039166/",
  "http://100.64.0.1/",
  "http://100.127.255.254/",
  // multicast, broadcast, reserved, documentation, benchmarking, IETF protocol assignments
  "http://224.0.0.1/",
  "http://239.255.255.250/",
  "http://255.255.255.255/",
  "http://240.0.0.1/",
  "http://192.0.2.1/",
  "http://198.51.100.7/",
  "http://203.0.113.9/",
  "http://198.18.0.1/",
  "http://198.19.255.1/",
  "http://192.0.0.8/",
  // IPv6 special ranges
  "http://[fe80::1]/",
  "http://[fc00::1]/",
  "http://[fd12:3456::1]/",
  "http://[fec0::1]/",
  "http://[ff02::1]/",
  "http://[64:ff9b::7f00:1]/",
  "http://[64:ff9b::a9fe:a9fe]/",
  "http://[64:ff9b:1::a00:1]/",
  "http://[2002:7f00:1::]/",
  "http://[2001:db8::1]/",
  "http://[100::1]/",
  "http://[3fff::1]/",
  // schemes and credentials
  "ftp://example.com/",
  "file:///etc/passwd",
  "gopher://example.com:70/",
  "ws://example.com/",
  "javascript:alert(1)",
  "data:text/plain,hi",
  "https://user:pass@example.com/",
  "http://user@example.com/",
  "http://:secret@example.com/",
  "http://example.com@127.0.0.1/",
];

describe("checkUrl: blocked before any socket", () => {
  it(`has a table of ${BLOCKED.length} spellings`, () => {
    expect(BLOCKED.length).toBeGreaterThanOrEqual(30);
  });

  it.each(BLOCKED)("refuses %s", (url) => {
    const verdict = checkUrl(strict, url);
    expect(verdict).toMatchObject({ ok: false, code: "HOOKLINE_SSRF_BLOCKED" });
  });
});

describe("checkUrl: allowed", () => {
  it.each([
    "http://93.184.215.14/",
    "https://8.8.8.8:8443/hook",
    "http://[2606:4700::1111]/",
    "https://hooks.example.com/in", // a name: judged by address at connect time
  ])("lets %s through with the default policy", (url) => {
    expect(checkUrl(strict, url).ok).toBe(true);
  });

  it.each([
    "http://127.0.0.1:8080/",
    "http://2130706433/",
    "http://127.1/",
    "http://[::1]:9000/",
    "http://[::ffff:127.0.0.1]/", // the same address as an allowlisted one
    "http://10.1.2.3/",
    "http://receiver.internal/",
    "http://RECEIVER.INTERNAL./",
    "http://a.b.svc.internal/",
  ])("lets allowlisted %s through", (url) => {
    expect(checkUrl(allowing, url).ok).toBe(true);
  });

  it.each([
    "http://127.0.0.2/",
    "http://10.2.0.1/",
    "http://localhost/",
    "http://user:pw@127.0.0.1/",
    "ftp://127.0.0.1/",
    "http://0.0.0.0/",
  ])("still refuses %s with an allowlist", (url) => {
    expect(checkUrl(allowing, url)).toMatchObject({ ok: false, code: "HOOKLINE_SSRF_BLOCKED" });
  });

  it("with the guard off, internal addresses pass but non-http schemes are a config error", () => {
    expect(checkUrl(disabled, "http://127.0.0.1/").ok).toBe(true);
    expect(checkUrl(disabled, "ftp://example.com/")).toMatchObject({
      ok: false,
      code: "HOOKLINE_INVALID_CONFIG",
    });
  });

  it("names the reason", () => {
    const verdict = checkUrl(strict, "http://169.254.169.254/");
    expect(verdict.ok === false && verdict.reason).toMatch(/169\.254\.169\.254.*linkLocal/);
  });
});

// A resolver that answers from a table, standing in for DNS (and for a rebinding attacker).
function fakeDns(table: Record<string, string[]>): LookupFunction {
  return (host, _opts, cb) => {
    const list = table[host];
    if (!list) return cb(Object.assign(new Error("nope"), { code: "ENOTFOUND" }), "", undefined);
    cb(
      null,
      list.map((address) => ({ address, family: address.includes(":") ? 6 : 4 })),
    );
  };
}

function resolve(policy: SsrfPolicy, host: string, all: boolean) {
  const dns = fakeDns({
    "rebind.example": ["93.184.215.14", "127.0.0.1"],
    "meta.example": ["169.254.169.254"],
    "mapped.example": ["::ffff:10.0.0.1"],
    "public.example": ["93.184.215.14", "2606:4700::1111"],
    "receiver.internal": ["10.9.9.9"],
    "svc.example": ["10.1.2.3"],
    "svc.internal": ["10.9.9.9"],
    "empty.example": [],
  });
  return new Promise<{ err: NodeJS.ErrnoException | null; answer: string | LookupAddress[] }>((done) =>
    guardedLookup(policy, dns)(host, { all }, (err, answer) => done({ err, answer })),
  );
}

describe("guardedLookup: every resolved address is judged at connect time", () => {
  it.each(["rebind.example", "meta.example", "mapped.example"])("refuses %s", async (host) => {
    const { err } = await resolve(strict, host, true);
    expect(err?.code).toBe("HOOKLINE_SSRF_BLOCKED");
  });

  it("passes a public name, in both callback shapes", async () => {
    expect((await resolve(strict, "public.example", true)).answer).toHaveLength(2);
    expect((await resolve(strict, "public.example", false)).answer).toBe("93.184.215.14");
  });

  it("trusts an allowlisted name whatever it resolves to", async () => {
    expect((await resolve(allowing, "receiver.internal", false)).err).toBeNull();
    expect((await resolve(strict, "receiver.internal", false)).err?.code).toBe("HOOKLINE_SSRF_BLOCKED");
  });

  it("a wildcard allows sub-domains only, not the bare suffix", async () => {
    expect((await resolve(allowing, "svc.internal", true)).err?.code).toBe("HOOKLINE_SSRF_BLOCKED");
  });

  it("passes a name resolving inside an allowlisted CIDR", async () => {
    expect((await resolve(allowing, "svc.example", true)).err).toBeNull();
  });

  it("passes resolver errors through and treats an empty answer as not found", async () => {
    expect((await resolve(strict, "nxdomain.example", true)).err?.code).toBe("ENOTFOUND");
    expect((await resolve(strict, "empty.example", true)).err?.code).toBe("ENOTFOUND");
  });
});
