import { createHookline, type DeliveryStore, generateSecret } from "@hookline/core";
import { makeEvent, startHttpReceiver, until } from "@hookline/core/testing";
import { buyerEvents } from "@hookline/events-buyer";
import { knexStore } from "@hookline/store-knex";
import { describeTargets, sqliteFile } from "@hookline/store-knex/testing";
import { httpTransport } from "@hookline/transport-http";
import knexFactory from "knex";
import { describe, expect, it } from "vitest";
import { mariadb, useProcessEnv } from "./harness.js";

const SECRET = generateSecret();
const credits = { buyerId: "0000", buyerName: "test", postCodeList: ["AB"], topUpAmount: 100 };
// A second at most: half the 2 s leases below, as createHookline requires.
const transport = () => httpTransport({ ssrf: { allow: ["127.0.0.1/32"] }, timeoutMs: 1_000 });

describe("emit() before start() on SQLite", () => {
  it("a fresh instance sees an endpoint another instance disabled: its delivery is stored cancelled, not sent", async () => {
    const file = sqliteFile();
    const receiver = await startHttpReceiver();
    const make = () =>
      createHookline({
        plugins: [buyerEvents()],
        endpoints: [
          { id: "crm", url: receiver.url("/crm"), events: "*", secret: SECRET },
          { id: "billing", url: receiver.url("/billing"), events: "*", secret: SECRET },
        ],
        store: knexStore({ knex: file.config() }),
        transport: transport(),
      });
    const view = knexStore({ knex: file.config() });
    try {
      const admin = make();
      await admin.start();
      await admin.disableEndpoint("billing", "receiver retired");
      await admin.stop();

      const fresh = make();
      const r = await fresh.emit("add_credits", credits, { wait: "attempted" });
      await fresh.stop();

      const status = Object.fromEntries(
        await Promise.all(
          r.deliveries.map(async (d) => [d.endpointId, (await view.getDelivery(d.id))?.status] as const),
        ),
      );
      expect(status).toEqual({ crm: "succeeded", billing: "cancelled" });
      expect(receiver.requests.map((q) => q.path)).toEqual(["/crm"]);
    } finally {
      await view.close();
      await receiver.close();
      file.cleanup();
    }
  });
});

describeTargets([await mariadb()], "stop() while the database does not answer", (target) => {
  const env = useProcessEnv("l", target);

  it("a claim blocked by another connection's LOCK TABLES: stop() resolves at grace + store timeout, and the delivery is sent later", async () => {
    const { receiver, tables, prefix } = env;
    const endpoints = [{ id: "r", url: receiver.url("/r"), events: "*" as const, secret: SECRET }];
    const ev = makeEvent({ code: "add_credits", endpoints: ["r"], body: JSON.stringify(credits) });
    await tables.store.insertEvents([ev]);
    // One connection, so UNLOCK TABLES runs in the session that holds the lock.
    const locker = knexFactory({
      ...target.config(),
      pool: { min: 1, max: 1 },
    });
    let store: DeliveryStore | undefined;
    try {
      await locker.raw(`LOCK TABLES ?? WRITE`, [`${prefix}deliveries`]);
      store = knexStore({
        knex: target.config(),
        tablePrefix: prefix,
      });
      const grace = 300;
      const storeTimeout = 700;
      const hooks = createHookline({
        plugins: [buyerEvents()],
        endpoints,
        store,
        transport: transport(),
        migrate: false,
        // No health check: the worker's one store call is then the claim.
        worker: {
          stopGraceMs: grace,
          stopStoreTimeoutMs: storeTimeout,
          leaseMs: 2_000,
          pollIntervalMs: 50,
          autoDisableAfterMs: 0,
        },
      });
      const errors: { error: unknown; context: string }[] = [];
      hooks.on("error", (e) => errors.push(e));
      await hooks.start();
      await until(
        async () => {
          const [rows] = (await tables.db.raw(
            "SELECT COUNT(*) AS n FROM information_schema.processlist WHERE state LIKE '%metadata lock%' AND info LIKE ?",
            [`%${prefix}deliveries%`],
          )) as [{ n: number }[]];
          return Number(rows[0]?.n) > 0;
        },
        { timeoutMs: 10_000, everyMs: 100, what: "the worker's claim to wait for the table lock" },
      );

      const t0 = Date.now();
      await Promise.race([
        hooks.stop(),
        new Promise((_, reject) =>
          setTimeout(() => reject(new Error("stop() was still waiting after 5 s")), 5_000).unref(),
        ),
      ]);
      const took = Date.now() - t0;
      expect(took).toBeGreaterThanOrEqual(grace + storeTimeout - 20);
      expect(took).toBeLessThan(grace + storeTimeout + 1_000);
      expect(errors.map((e) => [e.context, (e.error as { code?: string }).code])).toEqual([
        ["stop()", "HOOKLINE_STOP_TIMEOUT"],
      ]);
      expect((errors[0]!.error as Error).message).toMatch(/still waiting for the worker's store call/);
      expect(receiver.requests).toEqual([]);

      // The database answers again: the abandoned claim completes (or is given back) and the
      // pool closes; either way the delivery is sent once its lease is over.
      await locker.raw("UNLOCK TABLES");
      await store.close();
      const rescuer = createHookline({
        plugins: [buyerEvents()],
        endpoints,
        store: knexStore({
          knex: target.config(),
          tablePrefix: prefix,
        }),
        transport: transport(),
        migrate: false,
        worker: { pollIntervalMs: 50, leaseMs: 2_000, workerId: "rescuer" },
      });
      await rescuer.start();
      try {
        const [req] = await receiver.waitFor(1, { path: "/r", timeoutMs: 10_000 });
        expect(req!.headers["webhook-id"]).toBe(ev.id);
        await until(
          async () => (await tables.store.getDelivery(ev.deliveries[0]!.id))?.status === "succeeded",
          { timeoutMs: 10_000, everyMs: 100, what: "the delivery to be recorded as succeeded" },
        );
      } finally {
        await rescuer.stop();
      }
    } finally {
      await locker.raw("UNLOCK TABLES").catch(() => {});
      await locker.destroy();
      await store?.close().catch(() => {});
    }
  });
});
