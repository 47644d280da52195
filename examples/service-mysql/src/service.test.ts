import type { AddressInfo } from "node:net";
import { verify } from "@hookline/core";
import { startHttpReceiver, type TestReceiver } from "@hookline/core/testing";
import { tableNames } from "@hookline/store-knex";
import { describeTargets, MARIADB_URL, testTargets } from "@hookline/store-knex/testing";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { buyerService, migrateBuyers } from "./app.js";
import { compose } from "./compose.js";
import { configFromEnv } from "./service-config.js";

const target = (await testTargets()).find((t) => t.name === "mariadb")!;
const url = MARIADB_URL;
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

describeTargets([target], "examples/service-mysql", () => {
  let receiver: TestReceiver;
  let base: string;
  let stop: () => Promise<void>;
  const prefix = `svc${Date.now().toString(36)}_`;

  beforeAll(async () => {
    receiver = await startHttpReceiver();
    const cfg = configFromEnv({
      DATABASE_URL: url,
      HOOKLINE_TABLE_PREFIX: prefix,
      HOOKLINE_SSRF_ALLOW: "127.0.0.1/32",
      PORT: "0",
    });
    const { db, hooks, buyersTable } = compose(cfg, [
      { id: "crm", url: receiver.url("/crm"), events: "*", secret: SECRET },
    ]);
    await hooks.start();
    await migrateBuyers(db, buyersTable);
    const server = buyerService(db, hooks, buyersTable).listen(0, "127.0.0.1");
    await new Promise((r) => server.once("listening", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    stop = async () => {
      server.close();
      await hooks.stop();
      for (const t of [...tableNames(prefix).all, `${prefix}demo_buyers`]) {
        await db.schema.dropTableIfExists(t);
      }
      await db.destroy();
    };
  });
  afterAll(async () => {
    await stop?.();
    await receiver?.close();
  });

  const call = async (method: string, path: string, body: unknown) => {
    const res = await fetch(base + path, {
      method,
      body: JSON.stringify(body),
      headers: { "content-type": "application/json" },
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };
  const codes = () => receiver.requests.map((r) => JSON.parse(r.body).eventCode as string);

  it("commits the buyer change and its webhook together, and delivers it signed", async () => {
    await call("POST", "/buyers", {
      buyerId: "b1",
      businessName: "test",
      postCodeList: ["AB", "BN", "GN"],
      credits: 12,
    });
    const top = await call("POST", "/buyers/b1/top-ups", { amount: 100 });
    expect(top).toMatchObject({ status: 200, json: { credits: 112 } });
    const [req] = await receiver.waitFor(1);
    expect(req!.body).toBe(
      '{"buyerId":"b1","buyerName":"test","postCodeList":["AB","BN","GN"],"topUpAmount":100,"eventCode":"add_credits"}',
    );
    expect(verify({ body: req!.body, headers: req!.headers, secret: SECRET }).id).toBe(top.json.eventId);
  });

  it("sends user_credits_zero only when a purchase crosses below the lead cost", async () => {
    expect((await call("POST", "/buyers/b1/leads", { leadCost: 50 })).json.eventId).toBeNull(); // 62 left
    const crossing = await call("POST", "/buyers/b1/leads", { leadCost: 50 }); // 12 left < 50
    expect(crossing.json.eventId).toMatch(/^evt_/);
    await vi.waitFor(() => expect(codes()).toContain("user_credits_zero"), { timeout: 5000 });
  });

  it("a rolled-back purchase leaves no event and sends nothing", async () => {
    await call("POST", "/buyers", {
      buyerId: "b2",
      businessName: "test",
      postCodeList: ["AB"],
      credits: 10,
    });
    const before = receiver.requests.length;
    const failed = await call("POST", "/buyers/b2/leads", { leadCost: 10, failAfterEmit: true });
    expect(failed.status).toBe(500);
    const refused = await call("POST", "/buyers/b2/leads", { leadCost: 11 });
    expect(refused.status).toBe(409);
    await new Promise((r) => setTimeout(r, 600));
    expect(receiver.requests.length).toBe(before);
    const ok = await call("POST", "/buyers/b2/leads", { leadCost: 10 });
    expect(ok.json).toMatchObject({ credits: 0, eventId: expect.stringMatching(/^evt_/) });
    await vi.waitFor(() => expect(receiver.requests.length).toBe(before + 1), { timeout: 5000 });
  });

  it("sends post_code_change only when the set changed", async () => {
    const same = await call("PUT", "/buyers/b1/post-codes", { postCodeList: ["GN", "AB", "BN"] });
    expect(same.json.eventId).toBeNull();
    const changed = await call("PUT", "/buyers/b1/post-codes", { postCodeList: ["AB", "ZZ"] });
    expect(changed.json.eventId).toMatch(/^evt_/);
    await vi.waitFor(() => expect(codes()).toContain("post_code_change"), { timeout: 5000 });
  });
});
