import {
  createHookline,
  DELIVERY_STATUSES,
  type DeliveryStore,
  HooklineError,
  type ResolvedEndpoint,
  resolveEndpoints,
} from "@hookline/core";
import { makeEvent, startHttpReceiver, until } from "@hookline/core/testing";
import { buyerEvents } from "@hookline/events-buyer";
import { knexStore } from "@hookline/store-knex";
import { httpTransport } from "@hookline/transport-http";
import { register } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TOKEN } from "../__fixtures__/api-env.js";
import { scrape } from "../__fixtures__/prometheus.js";
import { sqliteConfig, tempSqliteStore } from "../__fixtures__/sqlite-store.js";
import { type AdminServer, type AdminServerOptions, createAdminServer } from "../index.js";

const BEARER = `Bearer ${TOKEN}`;
const HOUR = 3_600_000;

const CONFIG = (origin: string) => [
  { id: "ok", url: `${origin}/ok`, events: ["add_credits", "post_code_change"], signing: false },
  // No retries: its one attempt fails the delivery.
  { id: "down", url: `${origin}/down`, events: ["add_credits"], signing: false, retrySchedule: [] },
  // Its retry waits an hour: pending, but not due.
  { id: "flaky", url: `${origin}/flaky`, events: ["add_credits"], signing: false, retrySchedule: [HOUR] },
  // Configured, never sent to.
  { id: "quiet", url: `${origin}/quiet`, events: ["user_credits_zero"], signing: false },
];

let db: Awaited<ReturnType<typeof tempSqliteStore>>;
let endpoints: readonly ResolvedEndpoint[];
let dueSince: number;
const servers: AdminServer[] = [];

async function serve(opts: Partial<AdminServerOptions> = {}): Promise<string> {
  const server = createAdminServer({ store: db.store, endpoints, token: TOKEN, port: 0, ...opts });
  servers.push(server);
  return server.listen();
}

beforeAll(async () => {
  db = await tempSqliteStore();
  const receiver = await startHttpReceiver();
  receiver.on("/ok", { status: 200 });
  receiver.on("/down", { status: 500 });
  receiver.on("/flaky", { status: 503 });
  const config = CONFIG(receiver.baseUrl);
  const hooks = createHookline({
    plugins: [buyerEvents()],
    endpoints: config,
    store: knexStore({ knex: sqliteConfig(db.file) }),
    transport: httpTransport({ ssrf: { allow: ["127.0.0.1/32"] } }),
    worker: { pollIntervalMs: 50 },
  });
  await hooks.start();
  const buyer = { buyerId: "b-1", buyerName: "test", topUpAmount: 100, postCodeList: ["AB"] };
  await hooks.emit("add_credits", buyer);
  await hooks.emit("add_credits", { ...buyer, buyerId: "b-2" });
  await hooks.emit("post_code_change", { buyerId: "b-1", businessName: "test", postCodeList: ["AB"] });
  // ok: 3 succeeded, down: 2 failed, flaky: 2 pending after one failed attempt each.
  await until(
    async () => {
      const page = await db.store.listDeliveries({}, { limit: 100 });
      return page.items.filter((d) => d.attempts === 1 && d.status !== "sending").length === 7;
    },
    { timeoutMs: 10_000, everyMs: 25, what: "every delivery's first attempt" },
  );
  await hooks.stop();
  await receiver.close();
  // With no worker left, these stay pending and due: one for a configured endpoint, two for one
  // only the log knows.
  dueSince = Date.now();
  await db.store.insertEvents([
    makeEvent({ endpoints: ["ok"] }),
    makeEvent({ endpoints: ["legacy"] }),
    makeEvent({ endpoints: ["legacy"] }),
  ]);
  await db.store.setEndpointDisabled("down", true, "ledger migration");
  endpoints = resolveEndpoints(config, {
    knownCodes: ["add_credits", "post_code_change", "user_credits_zero"],
  });
});

afterAll(async () => {
  for (const s of servers.splice(0)) await s.close();
  await db?.cleanup();
});

describe("GET /metrics", () => {
  it("answers Prometheus text with each series per endpoint, configured or found in the log", async () => {
    const m = await scrape(await serve(), BEARER);
    expect(m.status).toBe(200);
    expect(m.contentType).toBe("text/plain; version=0.0.4; charset=utf-8");
    const all = ["ok", "down", "flaky", "quiet", "legacy"];
    const expected: Record<string, Partial<Record<(typeof DELIVERY_STATUSES)[number], number>>> = {
      ok: { succeeded: 3, pending: 1 },
      down: { failed: 2 },
      flaky: { pending: 2 },
      quiet: {},
      legacy: { pending: 2 },
    };
    for (const endpoint of all)
      for (const status of DELIVERY_STATUSES)
        expect([endpoint, status, m.value("hookline_deliveries", { endpoint, status })]).toEqual([
          endpoint,
          status,
          expected[endpoint]![status] ?? 0,
        ]);

    const byEndpoint = (name: string) =>
      Object.fromEntries(m.endpoints(name).map((e) => [e, m.value(name, { endpoint: e })]));
    expect(byEndpoint("hookline_backlog_due")).toEqual({ ok: 1, down: 0, flaky: 0, quiet: 0, legacy: 2 });
    expect(byEndpoint("hookline_attempts_5m")).toEqual({ ok: 3, down: 2, flaky: 2, quiet: 0, legacy: 0 });
    // No attempts, no ratio: 0 would read as an endpoint failing everything.
    expect(byEndpoint("hookline_attempt_success_ratio_5m")).toEqual({ ok: 1, down: 0, flaky: 0 });
    expect(byEndpoint("hookline_endpoint_disabled")).toEqual({
      ok: 0,
      down: 1,
      flaky: 0,
      quiet: 0,
      legacy: 0,
    });
    // Two failures are far from the default breaker's ten: every circuit is closed.
    expect(byEndpoint("hookline_endpoint_circuit_open")).toEqual({
      ok: 0,
      down: 0,
      flaky: 0,
      quiet: 0,
      legacy: 0,
    });
    expect(byEndpoint("hookline_endpoint_consecutive_failures")).toEqual({
      ok: 0,
      down: 2,
      flaky: 2,
      quiet: 0,
      legacy: 0,
    });
    const oldest = byEndpoint("hookline_backlog_oldest_due_seconds");
    expect(Object.keys(oldest)).toEqual(all);
    expect(oldest).toMatchObject({ down: 0, flaky: 0, quiet: 0 });
    for (const e of ["ok", "legacy"]) expect(oldest[e]).toBeGreaterThanOrEqual(0);

    for (const f of m.families) {
      expect(f.type).toBe("GAUGE");
      expect(f.help.length).toBeGreaterThan(20);
    }
    expect(m.families.map((f) => f.name).sort()).toEqual([
      "hookline_attempt_success_ratio_5m",
      "hookline_attempts_5m",
      "hookline_backlog_due",
      "hookline_backlog_oldest_due_seconds",
      "hookline_deliveries",
      "hookline_endpoint_circuit_open",
      "hookline_endpoint_consecutive_failures",
      "hookline_endpoint_disabled",
    ]);
    // Each scrape renders into a registry of its own; the process-wide one stays untouched.
    expect(await register.getMetricsAsJSON()).toEqual([]);
  });

  it("measures the oldest due delivery's wait up to the server's now, and the attempts over the 5 minutes before it", async () => {
    const ahead = 10 * 60_000;
    const m = await scrape(await serve({ now: () => new Date(Date.now() + ahead) }), BEARER);
    const waited = m.value("hookline_backlog_oldest_due_seconds", { endpoint: "legacy" })!;
    expect(waited).toBeGreaterThanOrEqual(ahead / 1000);
    expect(waited).toBeLessThanOrEqual((ahead + Date.now() - dueSince) / 1000);
    // Every attempt lies more than 5 minutes before that now.
    expect(m.value("hookline_attempts_5m", { endpoint: "ok" })).toBe(0);
    expect(m.endpoints("hookline_attempt_success_ratio_5m")).toEqual([]);
    expect(m.value("hookline_endpoint_consecutive_failures", { endpoint: "down" })).toBe(2);
  });

  it("needs the admin token; HEAD answers the headers alone", async () => {
    const url = await serve();
    const none = await scrape(url);
    expect(none.status).toBe(401);
    expect(JSON.parse(none.text).error.message).toBe(
      "authorization: expected a header 'Bearer <admin token>', got none",
    );
    expect((await scrape(url, `${BEARER}x`)).status).toBe(401);
    const head = await fetch(`${url}/metrics`, { method: "HEAD", headers: { authorization: BEARER } });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    expect(await head.text()).toBe("");
    expect((await fetch(`${url}/metrics?endpoint=ok`, { headers: { authorization: BEARER } })).status).toBe(
      400,
    );
  });

  it("a store failure is a 503 with the store's one-line message, not a page of zeros", async () => {
    const failing = new Proxy(db.store, {
      get: (target, key) => {
        if (key === "backlog")
          return () => Promise.reject(new HooklineError("HOOKLINE_STORE_ERROR", "reading the backlog"));
        const v = Reflect.get(target, key);
        return typeof v === "function" ? v.bind(target) : v;
      },
    }) as DeliveryStore;
    const m = await scrape(await serve({ store: failing }), BEARER);
    expect(m.status).toBe(503);
    expect(JSON.parse(m.text).error).toEqual({
      code: "HOOKLINE_STORE_ERROR",
      message: "reading the backlog",
    });
  });
});
