import { isHooklineError } from "@hookline/core";
import { describe, expect, it } from "vitest";
import { amqpTransport } from "./amqp-transport.js";
import { parseAmqpUrl } from "./amqp-url.js";
import { publishOptions } from "./message.js";
import { resolveAmqpOptions } from "./options.js";

const SECRET = "s3cr3t-Pa55";
const t = amqpTransport();
const refusal = (url: string): string => {
  try {
    t.validateEndpoint?.({ endpointId: "orders", url });
  } catch (err) {
    expect(isHooklineError(err, "HOOKLINE_INVALID_CONFIG")).toBe(true);
    return (err as Error).message;
  }
  throw new Error(`accepted ${url}`);
};

describe("validateEndpoint", () => {
  it("accepts the documented forms and reads host, port, vhost, exchange and routing key", () => {
    const p = parseAmqpUrl(
      `amqps://svc:${SECRET}@Broker.Internal:5673/%2Fprod?exchange=hooks.v1&routingKey=a.b`,
    );
    expect(p.ok && p.target).toMatchObject({
      exchange: "hooks.v1",
      routingKey: "a.b",
      broker: {
        protocol: "amqps",
        hostname: "broker.internal",
        port: 5673,
        vhost: "/prod",
        password: SECRET,
      },
    });
    const d = parseAmqpUrl("amqp://127.0.0.1");
    expect(d.ok && d.target).toMatchObject({
      exchange: "",
      routingKey: undefined,
      broker: { port: 5672, vhost: "/" },
    });
    expect(parseAmqpUrl("amqps://h/").ok && parseAmqpUrl("amqps://h/")).toMatchObject({
      target: { broker: { port: 5671, vhost: "/" } },
    });
    for (const url of [
      "amqp://h",
      "amqp://u:p@h:1/vh?exchange=a-b_c.d:e",
      "amqp://[::1]:5672/?routingKey=q",
    ]) {
      expect(() => t.validateEndpoint?.({ endpointId: "orders", url })).not.toThrow();
    }
  });

  it.each([
    [`amqp://u:${SECRET}@h/?exchang=x`, /unknown query parameter "exchang" \(did you mean "exchange"\?\)/],
    [`amqp://u:${SECRET}@h/?exchange=a&exchange=b`, /given twice/],
    [`amqp://u:${SECRET}@h/?exchange=bad%20name`, /exchange "bad name" has a character outside/],
    [`amqp://u:${SECRET}@h/?exchange=${"x".repeat(256)}`, /exchange is longer than 255 bytes/],
    [`amqp://u:${SECRET}@h/?routingKey=${"é".repeat(128)}`, /routingKey is longer than 255 bytes/],
    [`amqp://u:${SECRET}@h/?routingKey=a%0Ab`, /routingKey contains a control character/],
    [`amqp://u:${SECRET}@h/?routingKey=`, /routingKey is empty/],
    [`amqp://u:${SECRET}@/vh`, /does not parse/],
    [`amqp:///vh`, /has no host/],
    [`amqp://u:${SECRET}@h:99999/`, /does not parse/],
    [`amqp://u:${SECRET}@h:0/`, /port must be from 1 to 65535/],
    [`amqp://u:${SECRET}@h/a/b`, /one path segment/],
    [`amqp://u:${SECRET}@h/#frag`, /fragment/],
    [`http://u:${SECRET}@h/`, /expected an amqp: or amqps: URL/],
    [`amqp://u:${SECRET}%ZZ@h/`, /credentials are not valid percent-encoding/],
  ])("refuses %s naming the endpoint, never the password", (url, reason) => {
    const message = refusal(url);
    expect(message).toMatch(/^HOOKLINE_INVALID_CONFIG: endpoint "orders": url: /);
    expect(message).toMatch(reason);
    expect(message).not.toContain(SECRET);
  });

  it("keys one connection per login: same broker and credentials share it, another password does not", () => {
    const key = (url: string) => {
      const p = parseAmqpUrl(url);
      return p.ok ? p.target.broker.key : p.reason;
    };
    expect(key("amqp://u:p@h/?routingKey=a")).toBe(key("amqp://u:p@H:5672/?routingKey=b"));
    expect(key("amqp://u:p@h/")).not.toBe(key("amqp://u:q@h/"));
    expect(key("amqp://u:p@h/")).not.toBe(key("amqp://u:p@h/other"));
    expect(key(`amqp://u:${SECRET}@h/`)).not.toContain(SECRET);
  });
});

describe("amqpTransport options", () => {
  it("has the documented defaults, frozen", () => {
    const o = resolveAmqpOptions(undefined);
    expect(o).toEqual({
      timeoutMs: 15_000,
      connectTimeoutMs: 5_000,
      heartbeatSeconds: 30,
      maxInFlightPerBroker: 1_024,
      reconnectDelayMs: 100,
      maxReconnectDelayMs: 30_000,
    });
    expect(Object.isFrozen(o)).toBe(true);
    expect(t.schemes).toEqual(["amqp", "amqps"]);
  });

  it("exposes its deadline, which createHookline checks leases against", () => {
    expect(t.timeoutMs).toBe(15_000);
    expect(amqpTransport({ timeoutMs: 90_000 }).timeoutMs).toBe(90_000);
  });

  it("refuses an unknown key with the nearest one, and out-of-range values", () => {
    expect(() => amqpTransport({ timeout: 5 } as never)).toThrow(
      /unknown key "timeout" \(did you mean "timeoutMs"\?\)/,
    );
    expect(() => amqpTransport({ maxInFlightPerBroker: 0 })).toThrow(
      /maxInFlightPerBroker: expected an integer from 1/,
    );
    expect(() => amqpTransport({ reconnectDelayMs: 500, maxReconnectDelayMs: 100 })).toThrow(
      /maxReconnectDelayMs: expected an integer from 500/,
    );
  });
});

describe("publishOptions", () => {
  it("carries the webhook-id, event code, signing time and every header but content-type", () => {
    const o = publishOptions({
      deliveryId: "dlv_1",
      eventId: "evt_1",
      eventCode: "add_credits",
      endpointId: "e",
      attempt: 1,
      url: "amqp://h/",
      body: "{}",
      headers: {
        "content-type": "application/json",
        "webhook-id": "evt_1",
        "webhook-timestamp": "1700000000",
        "x-a": "1",
      },
    });
    expect(o).toEqual({
      persistent: true,
      mandatory: true,
      contentType: "application/json",
      messageId: "evt_1",
      type: "add_credits",
      timestamp: 1_700_000_000,
      headers: { "webhook-id": "evt_1", "webhook-timestamp": "1700000000", "x-a": "1" },
    });
  });
});
