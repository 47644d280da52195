import { HooklineError } from "@hookline/core";
import { makeRequest } from "@hookline/core/testing";
import { describe, expect, it } from "vitest";
import { natsTransport } from "./nats-transport.js";
import { parseNatsUrl } from "./nats-url.js";

const target = (url: string) => {
  const parsed = parseNatsUrl(url);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.target;
};
const reason = (url: string) => {
  const parsed = parseNatsUrl(url);
  return parsed.ok ? "" : parsed.reason;
};

describe("parseNatsUrl", () => {
  it("reads host, default port, subject and credentials", () => {
    expect(target("nats://Broker.Example/buyers.credits")).toMatchObject({
      server: "broker.example:4222",
      subject: "buyers.credits",
    });
    expect(target("nats://u%40x:p%2Fw@127.0.0.1:4223/a.b")).toMatchObject({
      server: "127.0.0.1:4223",
      user: "u@x",
      pass: "p/w",
    });
    expect(target("nats://tok3n@[::1]/a")).toMatchObject({ server: "[::1]:4222", token: "tok3n" });
    expect(target("nats://h/caf%C3%A9.x").subject).toBe("café.x");
  });

  it("shares a connection key only between the same server and login", () => {
    const a = target("nats://u:p@h/a").connectionKey;
    expect(target("nats://u:p@H:4222/b").connectionKey).toBe(a);
    expect(target("nats://u:q@h/a").connectionKey).not.toBe(a);
    expect(target("nats://h:4223/a").connectionKey).not.toBe(target("nats://h/a").connectionKey);
  });

  it.each([
    ["nats:///subject", /no host/],
    ["nats://h", /no subject/],
    ["nats://h:4222/", /no subject/],
    ["nats://h/a b", /white space/],
    ["nats://h/a.*.b", /wildcards/],
    ["nats://h/a.>", /wildcards/],
    ["nats://h/a..b", /empty token/],
    ["nats://h/.a", /empty token/],
    ["nats://h/a.", /empty token/],
    ["nats://h/a%0Ab", /control/],
    ["nats://h/a?stream=X", /unknown query parameter \("stream"\)/],
    ["nats://h/a#frag", /fragment/],
    ["nats://h:0/a", /port/],
    ["nats://h:99999/a", /port/],
    ["nats://h:abc/a", /port/],
    ["amqp://h/a", /scheme/],
    ["nats://:pw@h/a", /no user name/],
  ])("refuses %s", (url, expected) => {
    expect(reason(url)).toMatch(expected);
  });
});

describe("natsTransport().validateEndpoint", () => {
  const t = natsTransport();

  it("accepts a good URL and serves the nats scheme", () => {
    expect(() =>
      t.validateEndpoint?.({ endpointId: "buyers", url: "nats://127.0.0.1/buyers.events" }),
    ).not.toThrow();
    expect(t.schemes).toEqual(["nats"]);
    expect(t.name).toBe("nats");
  });

  it.each([
    "nats://user:Hunter2pw@/subject",
    "nats://user:Hunter2pw@h:70000/subject",
    "nats://user:Hunter2pw@h/a b",
    "nats://user:Hunter2pw@h/a?x=Hunter2pw",
    "nats://user:Hunter2pw@h:4222",
  ])("refuses %s with HOOKLINE_INVALID_CONFIG naming the endpoint, never the password", (url) => {
    let caught: unknown;
    try {
      t.validateEndpoint?.({ endpointId: "buyers", url });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(HooklineError);
    expect((caught as HooklineError).code).toBe("HOOKLINE_INVALID_CONFIG");
    expect((caught as Error).message).toContain('endpoint "buyers"');
    expect((caught as Error).message).not.toContain("Hunter2pw");
  });

  it("answers a bad URL or TLS settings at send time with a permanent outcome, never a throw", async () => {
    const signal = new AbortController().signal;
    const bad = await t.send(makeRequest("nats://h/a.*"), { signal });
    expect(bad).toMatchObject({ kind: "permanent", error: { code: "HOOKLINE_INVALID_CONFIG" } });
    const tls = await t.send(makeRequest("nats://127.0.0.1:1/a", { tls: {} }), { signal });
    expect(tls).toMatchObject({ kind: "permanent", error: { code: "HOOKLINE_INVALID_CONFIG" } });
  });
});
