import { describe, expect, it } from "vitest";
import type { DeliveryRequest, Transport } from "../contracts/transport.js";
import { container, TOKENS } from "../di/tokens.js";
import type { EndpointConfig } from "../endpoints/endpoint-config.js";
import { HooklineError } from "../errors/hookline-error.js";
import { createHookline } from "../hookline.js";
import { memoryStore } from "../memory/memory-store.js";
import { verify } from "../signing/verify.js";
import { errorMessageOf, SECRET, shopPlugin } from "./helpers.js";

/** A sink serving `schemes` that keeps what it was sent and counts its close() calls. */
function recordingTransport(name: string, schemes?: readonly string[]) {
  const sent: DeliveryRequest[] = [];
  const validated: string[] = [];
  let closed = 0;
  const transport: Transport = {
    name,
    ...(schemes === undefined ? {} : { schemes }),
    validateEndpoint({ endpointId, url }) {
      validated.push(endpointId);
      if (url.includes("bad-subject")) {
        throw new HooklineError("HOOKLINE_INVALID_CONFIG", `endpoint "${endpointId}" url: no subject`);
      }
    },
    async send(req) {
      sent.push(req);
      return { kind: "success", durationMs: 0, body: `${name} ok` };
    },
    async close() {
      closed++;
    },
  };
  return { transport, sent, validated, closed: () => closed };
}

const endpoint = (id: string, url: string): EndpointConfig => ({ id, url, events: "*", secret: SECRET });
const three = () => ({
  http: recordingTransport("http"),
  amqp: recordingTransport("amqp", ["amqp", "amqps"]),
  nats: recordingTransport("nats", ["nats"]),
});
const endpoints = [
  endpoint("web", "https://receiver.example/hooks"),
  endpoint("queue", "amqp://guest:${AMQP_PASS}@127.0.0.1:5672/?routingKey=orders"),
  endpoint("stream", "nats://127.0.0.1:4222/orders.placed"),
];
const env = { AMQP_PASS: "s3cr3t-pass" };

describe("routing endpoints to transports by URL scheme", () => {
  it("sends each endpoint through the transport serving its scheme, and stop() closes each once", async () => {
    const t = three();
    const store = memoryStore();
    const hooks = createHookline({
      plugins: [shopPlugin()],
      endpoints,
      env,
      store,
      transports: [t.http.transport, t.amqp.transport, t.nats.transport],
    });
    expect(hooks.transports).toEqual([t.http.transport, t.amqp.transport, t.nats.transport]);
    expect([t.http.validated, t.amqp.validated, t.nats.validated]).toEqual([["web"], ["queue"], ["stream"]]);
    await hooks.start();
    const r = await hooks.emit("order_placed", { orderId: "o1", total: 5 }, { wait: "attempted" });
    expect(r.attempts?.map((a) => a.outcome.kind)).toEqual(["success", "success", "success"]);
    expect(t.http.sent.map((s) => s.endpointId)).toEqual(["web"]);
    expect(t.amqp.sent.map((s) => s.endpointId)).toEqual(["queue"]);
    expect(t.nats.sent.map((s) => s.endpointId)).toEqual(["stream"]);
    // The transport gets the substituted URL; the log keeps it redacted.
    expect(t.amqp.sent[0]?.url).toContain("s3cr3t-pass");
    const bodies = [t.http.sent[0], t.amqp.sent[0], t.nats.sent[0]].map((s) => s!.body);
    expect(new Set(bodies).size).toBe(1);
    for (const s of [t.http.sent[0], t.amqp.sent[0], t.nats.sent[0]]) {
      expect(verify({ body: s!.body, headers: s!.headers, secret: SECRET }).id).toBe(s!.eventId);
    }
    const queued = r.deliveries.find((d) => d.endpointId === "queue")!;
    const [logged] = (await store.getDelivery(queued.id))!.attemptLog;
    expect(logged?.url).toBe("amqp://[redacted]@127.0.0.1:5672/?routingKey=[redacted]");
    expect(logged?.responseBody).toBe("amqp ok");
    await hooks.stop();
    expect([t.http.closed(), t.amqp.closed(), t.nats.closed()]).toEqual([1, 1, 1]);
  });

  it("finds every Transport registered on the container (multi-registration)", async () => {
    const t = three();
    const parent = container.createChildContainer();
    parent.register(TOKENS.Store, { useValue: memoryStore() });
    parent.register(TOKENS.Transport, { useValue: t.http.transport });
    parent.register(TOKENS.Transport, { useValue: t.amqp.transport });
    parent.register(TOKENS.Transport, { useValue: t.nats.transport });
    const hooks = createHookline({ plugins: [shopPlugin()], endpoints, env, container: parent });
    expect(hooks.transports).toHaveLength(3);
    const r = await hooks.emit("order_placed", { orderId: "o2", total: 1 }, { wait: "attempted" });
    expect(r.attempts).toHaveLength(3);
    expect([t.http.sent.length, t.amqp.sent.length, t.nats.sent.length]).toEqual([1, 1, 1]);
    await hooks.stop();
  });

  it("refuses an endpoint whose scheme no transport serves, naming it, the scheme and the served ones", () => {
    const t = three();
    const message = errorMessageOf(() =>
      createHookline({
        plugins: [shopPlugin()],
        endpoints: [endpoint("files", "ftp://user:${AMQP_PASS}@files.example/drop")],
        env,
        store: memoryStore(),
        transports: [t.http.transport, t.amqp.transport],
      }),
    );
    expect(message).toMatch(/endpoint "files" url: .*\(http, https, amqp, amqps\), got "ftp"/);
    expect(message).not.toContain("s3cr3t-pass");
  });

  it("refuses a scheme served by two transports", () => {
    const message = errorMessageOf(
      () =>
        createHookline({
          plugins: [shopPlugin()],
          endpoints,
          env,
          store: memoryStore(),
          transports: [three().http.transport, recordingTransport("other-http").transport],
        }),
      "HOOKLINE_INVALID_OPTION",
    );
    expect(message).toMatch(/"http" is served by "http" and "other-http"/);
  });

  it("refuses a transport whose timeoutMs is not a positive number of ms", () => {
    for (const bad of [0, -5, Number.NaN, "15000"]) {
      const sink = { ...recordingTransport("odd").transport, timeoutMs: bad as number };
      const message = errorMessageOf(
        () =>
          createHookline({ plugins: [shopPlugin()], endpoints, env, store: memoryStore(), transport: sink }),
        "HOOKLINE_INVALID_OPTION",
      );
      expect(message).toMatch(/transports\[0\] \("odd"\)\.timeoutMs: expected a positive number of ms, got/);
    }
  });

  it("refuses transport and transports together, and an empty transports", () => {
    const t = three();
    const base = { plugins: [shopPlugin()], endpoints: [endpoints[0]!], store: memoryStore() };
    expect(
      errorMessageOf(
        () => createHookline({ ...base, transport: t.http.transport, transports: [t.amqp.transport] }),
        "HOOKLINE_INVALID_OPTION",
      ),
    ).toMatch(/transport, transports: expected one of the two/);
    expect(
      errorMessageOf(() => createHookline({ ...base, transports: [] }), "HOOKLINE_INVALID_OPTION"),
    ).toMatch(/transports: expected a non-empty array/);
  });

  it("passes the routed transport's validateEndpoint error on at construction", () => {
    const t = three();
    expect(() =>
      createHookline({
        plugins: [shopPlugin()],
        endpoints: [endpoint("stream", "nats://127.0.0.1:4222/bad-subject")],
        store: memoryStore(),
        transports: [t.http.transport, t.nats.transport],
      }),
    ).toThrow(/endpoint "stream" url: no subject/);
    expect(t.http.validated).toEqual([]);
  });
});
