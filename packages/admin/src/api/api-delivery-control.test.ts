import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiAnswer } from "../__fixtures__/api-env.js";
import { TOKEN } from "../__fixtures__/api-env.js";
import { type ControlLog, controlLog } from "../__fixtures__/control-log.js";
import { scrape } from "../__fixtures__/prometheus.js";
import { type AdminServer, createAdminServer } from "../index.js";

describe("delivery control in the admin API", () => {
  let log: ControlLog;
  let server: AdminServer;
  let url: string;

  async function call(path: string, json?: unknown): Promise<ApiAnswer> {
    const res = await fetch(url + path, {
      method: json === undefined ? "GET" : "POST",
      headers: {
        authorization: `Bearer ${TOKEN}`,
        ...(json === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(json === undefined ? {} : { body: JSON.stringify(json) }),
    });
    return { status: res.status, headers: res.headers, body: await res.json() };
  }

  beforeAll(async () => {
    log = await controlLog();
    server = createAdminServer({ store: log.store, endpoints: log.endpoints, token: TOKEN, port: 0 });
    url = await server.listen();
  });
  afterAll(async () => {
    await server?.close();
    await log?.cleanup();
  });

  it("GET /api/endpoints: circuit, pause and configured control per endpoint", async () => {
    const { status, body } = await call("/api/endpoints");
    expect(status).toBe(200);
    const byId = Object.fromEntries(body.map((v: { id: string }) => [v.id, v]));
    expect(byId.ledger.circuit).toEqual({
      state: "open",
      consecutiveFailures: 2,
      openUntil: log.states.ledger.openUntil!.toISOString(),
    });
    expect(byId.search.circuit).toMatchObject({ state: "half_open", consecutiveFailures: 1 });
    expect(byId.partner.pausedUntil).toBe(log.states.partner.pausedUntil!.toISOString());
    expect(byId.partner.control).toEqual({
      ordering: "none",
      supersede: true,
      rateLimit: { perSecond: 0.5, burst: 3 },
      maxConcurrent: 4,
      circuitBreaker: { failureThreshold: 10, cooldownMs: 30_000, maxCooldownMs: 600_000 },
    });
    expect(byId.crm).toMatchObject({
      circuit: { state: "closed", consecutiveFailures: 0, openUntil: null },
      pausedUntil: null,
      control: { ordering: "subject" },
    });
    expect(byId.quiet.control).toMatchObject({ supersede: false, circuitBreaker: null });
  });

  it("GET /api/deliveries/:id: waitingFor names the earlier unfinished delivery of the subject", async () => {
    const { first, second } = log.ordered;
    expect((await call(`/api/deliveries/${second}`)).body).toMatchObject({
      id: second,
      status: "pending",
      waitingFor: first,
    });
    // Present and null when nothing holds it back.
    expect((await call(`/api/deliveries/${first}`)).body).toMatchObject({ id: first, waitingFor: null });
  });

  it("lists a superseded delivery with its code and replays it, alone or by filter", async () => {
    const { older, newer } = log.superseded;
    const page = (await call("/api/deliveries?subject=s-state")).body;
    expect(page.items).toMatchObject([
      { id: newer, status: "pending", lastErrorCode: null },
      { id: older, status: "cancelled", lastErrorCode: "HOOKLINE_SUPERSEDED", attempts: 0 },
    ]);
    expect((await call(`/api/deliveries/${older}`)).body).toMatchObject({
      lastErrorCode: "HOOKLINE_SUPERSEDED",
      attemptLog: [],
    });
    const dry = await call("/api/replay", { subject: "s-state", dryRun: true });
    expect(dry.body).toEqual({
      dryRun: true,
      matched: 1,
      byStatus: { cancelled: 1 },
      byEndpoint: { crm: 1 },
      superseded: 1,
    });
    const one = await call(`/api/deliveries/${older}/replay`, {});
    expect(one).toMatchObject({ status: 200, body: { deliveryId: older, requeued: 1, skipped: 0 } });
    expect(await log.store.getDelivery(older)).toMatchObject({ status: "pending", replays: 1 });
  });

  it("GET /metrics: hookline_endpoint_circuit_open is 1 while open or half-open", async () => {
    const s = await scrape(url, `Bearer ${TOKEN}`);
    expect(s.status).toBe(200);
    const open = (endpoint: string) => s.value("hookline_endpoint_circuit_open", { endpoint });
    expect(["crm", "ledger", "search", "partner", "quiet"].map(open)).toEqual([0, 1, 1, 0, 0]);
    expect(s.text).toContain("# TYPE hookline_endpoint_circuit_open gauge");
  });
});
