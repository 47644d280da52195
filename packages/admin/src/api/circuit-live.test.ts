import { createHookline, type Hookline, resolveEndpoints } from "@hookline/core";
import { startHttpReceiver, type TestReceiver, until } from "@hookline/core/testing";
import { buyerEvents } from "@hookline/events-buyer";
import { knexStore } from "@hookline/store-knex";
import { httpTransport } from "@hookline/transport-http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TOKEN } from "../__fixtures__/api-env.js";
import { scrape } from "../__fixtures__/prometheus.js";
import { sqliteConfig, tempSqliteStore } from "../__fixtures__/sqlite-store.js";
import { type AdminServer, createAdminServer, type EndpointView } from "../index.js";

const CODES = ["add_credits"];
const HOUR = 3_600_000;
const config = (origin: string) => [
  // Each failure is final (no retries); two in a row open the circuit for an hour.
  {
    id: "down",
    url: `${origin}/down`,
    events: CODES,
    signing: false,
    retrySchedule: [],
    circuitBreaker: { failureThreshold: 2, cooldownMs: HOUR },
  },
  { id: "ok", url: `${origin}/ok`, events: CODES, signing: false },
];

describe("a circuit opened by a running Hookline, seen through the admin API", () => {
  let db: Awaited<ReturnType<typeof tempSqliteStore>>;
  let receiver: TestReceiver;
  let hooks: Hookline;
  let server: AdminServer;
  let url: string;
  let held: string;

  beforeAll(async () => {
    db = await tempSqliteStore();
    receiver = await startHttpReceiver();
    receiver.on("/down", { status: 500, body: "down" });
    receiver.on("/ok", { status: 200 });
    hooks = createHookline({
      plugins: [buyerEvents()],
      endpoints: config(receiver.baseUrl),
      store: knexStore({ knex: sqliteConfig(db.file) }),
      transport: httpTransport({ ssrf: { allow: ["127.0.0.1/32"] } }),
      worker: { pollIntervalMs: 50 },
    });
    await hooks.start();
    const emit = (buyerId: string) =>
      hooks.emit("add_credits", { buyerId, buyerName: "test", topUpAmount: 1, postCodeList: ["AB"] });
    const status = async (id: string) => (await db.store.getDelivery(id))?.status;
    for (const buyer of ["b-1", "b-2"]) {
      const id = (await emit(buyer)).deliveries.find((d) => d.endpointId === "down")!.id;
      await until(async () => (await status(id)) === "failed", { timeoutMs: 10_000, what: "the failure" });
    }
    // The circuit is open: this one waits, while ok still gets its copy.
    const third = await emit("b-3");
    held = third.deliveries.find((d) => d.endpointId === "down")!.id;
    const delivered = third.deliveries.find((d) => d.endpointId === "ok")!.id;
    await until(async () => (await status(delivered)) === "succeeded", { timeoutMs: 10_000, what: "ok" });
    const endpoints = resolveEndpoints(config(receiver.baseUrl), { knownCodes: CODES });
    server = createAdminServer({ store: db.store, endpoints, token: TOKEN, port: 0 });
    url = await server.listen();
  });
  afterAll(async () => {
    await server?.close();
    await hooks?.stop();
    await receiver?.close();
    await db?.cleanup();
  });

  it("shows the open circuit with its cool-down, and the held delivery unsent", async () => {
    const res = await fetch(`${url}/api/endpoints`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const views = (await res.json()) as EndpointView[];
    const down = views.find((v) => v.id === "down")!;
    expect(down.circuit).toMatchObject({ state: "open", consecutiveFailures: 2 });
    // JSON: the dates arrive as ISO strings.
    const openUntil = Date.parse(String(down.circuit.openUntil));
    expect(openUntil).toBeGreaterThan(Date.now() + HOUR / 2);
    expect(down.control?.circuitBreaker).toEqual({
      failureThreshold: 2,
      cooldownMs: HOUR,
      maxCooldownMs: HOUR,
    });
    expect(views.find((v) => v.id === "ok")?.circuit.state).toBe("closed");
    expect(receiver.requests.filter((r) => r.path === "/down")).toHaveLength(2);
    expect(await db.store.getDelivery(held)).toMatchObject({ status: "pending", attempts: 0 });
  });

  it("GET /metrics: hookline_endpoint_circuit_open{endpoint=down} is 1, ok's is 0", async () => {
    const s = await scrape(url, `Bearer ${TOKEN}`);
    expect(s.value("hookline_endpoint_circuit_open", { endpoint: "down" })).toBe(1);
    expect(s.value("hookline_endpoint_circuit_open", { endpoint: "ok" })).toBe(0);
  });
});
