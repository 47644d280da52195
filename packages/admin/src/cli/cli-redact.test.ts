import { createHookline, resolveEndpoints, TERMINAL_STATUSES } from "@hookline/core";
import {
  makeEvent,
  makeOutcome,
  makeResult,
  startHttpReceiver,
  type TestReceiver,
  until,
} from "@hookline/core/testing";
import { buyerEvents } from "@hookline/events-buyer";
import { knexStore } from "@hookline/store-knex";
import { withKnex } from "@hookline/store-knex/testing";
import { httpTransport } from "@hookline/transport-http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli } from "../__fixtures__/cli-harness.js";
import { configDir, envRef, jsonConfig } from "../__fixtures__/config-dir.js";
import { sqliteConfig, tempSqliteStore } from "../__fixtures__/sqlite-store.js";
import { createAdminServer } from "../index.js";

// Each value is a secret that must reach the receiver and never the log or any admin output.
const SECRETS = {
  "x-auth": "s3cret-auth-0001",
  "x-access-key": "s3cret-access-0002",
  "x-hub-credential": "s3cret-hub-0003",
  "x-shopify-hmac-sha256": "s3cret-hmac-0004",
  // A name that looks like nothing: only "secret unless listed" keeps its value out.
  "x-partner": "s3cret-partner-0006",
};
const QUERY_SECRET = "s3cret-query-0005";
const ALL_SECRETS = [...Object.values(SECRETS), QUERY_SECRET];

const vault = (origin: string) => ({
  id: "vault",
  url: `${origin}/vault?apikey=${QUERY_SECRET}&v=2`,
  events: ["add_credits"],
  signing: false,
  headers: { ...SECRETS, "x-tenant": "acme-tenant" },
  showHeaders: ["x-tenant"],
});

describe("what the log stores of an endpoint's credentials", () => {
  let receiver: TestReceiver;
  let db: Awaited<ReturnType<typeof tempSqliteStore>>;
  let cfg: ReturnType<typeof configDir>;
  let deliveryId: string;
  const run = (argv: string[]) =>
    cli(argv, { cwd: cfg.dir, env: { HL_DB: db.file, ORIGIN: receiver.baseUrl } });
  /** Every stored attempt row, as the database holds it. */
  const rawAttempts = () =>
    withKnex(sqliteConfig(db.file), async (k) => JSON.stringify(await k("hookline_attempts").select("*")));

  beforeAll(async () => {
    receiver = await startHttpReceiver();
    db = await tempSqliteStore();
    cfg = configDir({ "hookline.config.json": jsonConfig([vault(envRef("ORIGIN"))]) });
    const hooks = createHookline({
      plugins: [buyerEvents()],
      endpoints: [vault(receiver.baseUrl)],
      store: knexStore({ knex: sqliteConfig(db.file) }),
      transport: httpTransport({ ssrf: { allow: ["127.0.0.1/32"] } }),
      worker: { pollIntervalMs: 50 },
    });
    await hooks.start();
    try {
      const r = await hooks.emit("add_credits", {
        buyerId: "b-1",
        buyerName: "test",
        postCodeList: ["AB"],
        topUpAmount: 100,
      });
      deliveryId = r.deliveries[0]!.id;
      const id = deliveryId;
      const settled = async () => {
        const d = await db.store.getDelivery(id);
        return d !== null && TERMINAL_STATUSES.includes(d.status);
      };
      await until(settled, { timeoutMs: 10_000, everyMs: 25, what: "the delivery to settle" });
    } finally {
      await hooks.stop();
    }
  });
  afterAll(async () => {
    await receiver?.close();
    await db?.cleanup();
    cfg?.cleanup();
  });

  it("the receiver gets the real values", () => {
    const [req] = receiver.requests;
    expect(req?.path).toBe(`/vault?apikey=${QUERY_SECRET}&v=2`);
    for (const [name, value] of Object.entries(SECRETS)) expect(req?.headers[name]).toBe(value);
  });

  it("the stored rows hold none of them; the listed header and Hookline's own are kept", async () => {
    const raw = await rawAttempts();
    for (const s of ALL_SECRETS) expect(raw).not.toContain(s);
    const [a] = (await db.store.getDelivery(deliveryId))!.attemptLog;
    expect(a!.url).toBe(`${receiver.baseUrl}/vault?apikey=[redacted]&v=[redacted]`);
    expect(a!.requestHeaders).toMatchObject({
      "content-type": "application/json",
      "x-tenant": "acme-tenant",
      "x-auth": "[redacted]",
      "x-access-key": "[redacted]",
      "x-hub-credential": "[redacted]",
      "x-shopify-hmac-sha256": "[redacted]",
      "x-partner": "[redacted]",
    });
    expect(a!.requestHeaders!["webhook-id"]).toMatch(/^evt_/);
  });

  it("deliveries show, endpoints and the API show none of them", async () => {
    const text = await run(["deliveries", "show", deliveryId]);
    const json = await run(["deliveries", "show", deliveryId, "--json"]);
    const endpoints = await run(["endpoints", "--json"]);
    for (const r of [text, json, endpoints]) {
      expect(r.code).toBe(0);
      for (const s of ALL_SECRETS) expect(r.stdout).not.toContain(s);
    }
    expect(text.stdout).toContain("x-tenant: acme-tenant");
    expect(text.stdout).toContain("?apikey=[redacted]&v=[redacted]");
    expect(endpoints.stdout).toContain("/vault?apikey=[redacted]&v=[redacted]");

    const server = createAdminServer({
      store: db.store,
      endpoints: resolveEndpoints([vault(receiver.baseUrl)], { knownCodes: ["add_credits"] }),
      token: "t".repeat(32),
      port: 0,
    });
    const url = await server.listen();
    try {
      const auth = { headers: { authorization: `Bearer ${"t".repeat(32)}` } };
      for (const path of [`/api/deliveries/${deliveryId}`, "/api/endpoints"]) {
        const res = await fetch(url + path, auth);
        expect(res.status).toBe(200);
        const body = await res.text();
        for (const s of ALL_SECRETS) expect(body).not.toContain(s);
      }
    } finally {
      await server.close();
    }
  });

  it("hookline redact scrubs rows an older version wrote, with a dry run, idempotently", async () => {
    // Rows as an older version stored them: the endpoint's header values and URL in the clear.
    const evs = [0, 1, 2].map(() => makeEvent({ claim: { leaseMs: 60_000 }, endpoints: ["vault"] }));
    await db.store.insertEvents(evs);
    await db.store.complete(
      evs.map((ev) =>
        makeResult(
          {
            id: ev.deliveries[0]!.id,
            claimToken: ev.deliveries[0]!.claim!.token,
            attempts: 1,
            endpointId: "vault",
            eventCode: ev.code,
          },
          makeOutcome("success"),
          { status: "succeeded" },
        ),
      ),
    );
    await withKnex(sqliteConfig(db.file), (k) =>
      k("hookline_attempts")
        .whereIn(
          "delivery_id",
          evs.map((ev) => ev.deliveries[0]!.id),
        )
        .update({
          url: `${receiver.baseUrl}/vault?apikey=${QUERY_SECRET}&v=2`,
          request_headers: JSON.stringify({
            "content-type": "application/json",
            ...SECRETS,
            "x-tenant": "acme-tenant",
          }),
        }),
    );
    for (const s of ALL_SECRETS) expect(await rawAttempts()).toContain(s);
    // Shown by the admin before any scrub: the same rule applies at display time.
    const old = evs[0]!.deliveries[0]!.id;
    const shown = await run(["deliveries", "show", old, "--json"]);
    expect(shown.code).toBe(0);
    for (const s of ALL_SECRETS) expect(shown.stdout).not.toContain(s);
    expect(JSON.parse(shown.stdout).attemptLog[0].requestHeaders["x-tenant"]).toBe("acme-tenant");

    const dry = await run(["redact", "--dry-run", "--json", "--batch-size", "2"]);
    expect(dry.stderr).toBe("");
    expect(JSON.parse(dry.stdout)).toEqual({ dryRun: true, scanned: 4, changed: 3 });
    for (const s of ALL_SECRETS) expect(await rawAttempts()).toContain(s);

    const done = await run(["redact", "--batch-size", "2"]);
    expect(done.code).toBe(0);
    expect(done.stdout).toContain("Rewrote 3 attempts of 4");
    const raw = await rawAttempts();
    for (const s of ALL_SECRETS) expect(raw).not.toContain(s);
    // The config's showHeaders still applies to the rewritten rows.
    expect(raw.match(/acme-tenant/g)).toHaveLength(4);

    const again = await run(["redact", "--json"]);
    expect(JSON.parse(again.stdout)).toEqual({ dryRun: false, scanned: 4, changed: 0 });
  });
});
