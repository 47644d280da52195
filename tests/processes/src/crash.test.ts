import { createHookline } from "@hookline/core";
import { TEST_SECRET, until } from "@hookline/core/testing";
import { buyerEvents } from "@hookline/events-buyer";
import { knexStore } from "@hookline/store-knex";
import { describeTargets, MARIADB_URL } from "@hookline/store-knex/testing";
import { httpTransport } from "@hookline/transport-http";
import { expect, it } from "vitest";
import { burstThenKill, mariadb, spawnWorker, statusCounts, useProcessEnv } from "./harness.js";

describeTargets([await mariadb()], "crash and outage recovery", (target) => {
  const env = useProcessEnv("c", target);
  const received = () => env.received();

  it("SIGKILL mid-burst of 1,000 emits to a slow receiver: every accepted event is delivered, nothing is lost", async () => {
    const { receiver, tables, prefix, procs } = env;
    receiver.on("/slow", { delayMs: 50 });
    const endpoints = [{ id: "slow", url: receiver.url("/slow"), events: "*" as const, secret: TEST_SECRET }];
    const accepted = await burstThenKill(procs, { prefix, endpoints });
    const sentBeforeCrash = receiver.requests.length;

    const rescuer = spawnWorker({ prefix, endpoints, workerId: "rescuer", leaseMs: 3_000, batchSize: 50 });
    procs.push(rescuer);
    await until(
      async () => {
        const c = await statusCounts(tables.db, prefix);
        return Object.keys(c).every((s) => s === "succeeded");
      },
      { timeoutMs: 60_000, everyMs: 100, what: "every stored delivery to succeed" },
    );

    const rows = (await tables.db(`${prefix}deliveries`).select("event_id")) as { event_id: string }[];
    const stored = new Set(rows.map((r) => r.event_id));
    for (const id of accepted) expect(stored.has(id)).toBe(true); // accepted means committed
    const got = new Set(received());
    for (const id of stored) expect(got.has(id)).toBe(true); // every stored event reached the receiver
    const duplicates = receiver.requests.length - got.size;
    // Only what was in flight when the emitter died may be sent twice.
    expect(duplicates).toBeLessThanOrEqual(256);
    console.log(
      `SIGKILL test: ${accepted.length} accepted before the kill, ${stored.size} stored, ${sentBeforeCrash} sent before the crash, ${duplicates} duplicates`,
    );
  });

  it("recovers when the server kills the worker's database connections mid-run, and loses nothing", async () => {
    const { receiver, tables, prefix } = env;
    const user = `hlk${Date.now().toString(36)}`;
    await tables.db.raw(`create user '${user}'@'%' identified by ''`);
    await tables.db.raw(`grant all on test.* to '${user}'@'%'`);
    await tables.db.raw(`create user '${user}'@'localhost' identified by ''`);
    await tables.db.raw(`grant all on test.* to '${user}'@'localhost'`);
    const uri = MARIADB_URL.replace(/\/\/[^@]*@/, `//${user}@`);
    receiver.on("/r", { delayMs: 5 });
    const hooks = createHookline({
      plugins: [buyerEvents()],
      endpoints: [{ id: "r", url: receiver.url("/r"), events: "*", secret: TEST_SECRET }],
      store: knexStore({
        knex: { client: "mysql2", connection: { uri, charset: "utf8mb4" }, pool: { min: 0, max: 6 } },
        tablePrefix: prefix,
      }),
      transport: httpTransport({ ssrf: { allow: ["127.0.0.1/32"] }, timeoutMs: 1_000 }),
      retry: { schedule: [100, 100, 100, 100, 100, 100], jitter: 0 },
      worker: { pollIntervalMs: 50, backoffMinMs: 50, backoffMaxMs: 500, leaseMs: 2_000 },
      migrate: false,
    });
    const errors: string[] = [];
    hooks.on("error", (e) => errors.push(e.context));
    await hooks.start();
    const accepted: string[] = [];
    let killed = 0;
    const killer = (async () => {
      for (let round = 0; round < 4; round++) {
        await new Promise((r) => setTimeout(r, 250));
        const [rows] = (await tables.db.raw("select id from information_schema.processlist where user = ?", [
          user,
        ])) as [{ id: number }[]];
        for (const { id } of rows) {
          await tables.db.raw(`kill connection ${Number(id)}`).catch(() => {});
          killed++;
        }
      }
    })();
    const payload = (i: number) => ({
      buyerId: `b-${i}`,
      buyerName: "test",
      postCodeList: ["AB"],
      topUpAmount: 5,
    });
    let rejected = 0;
    for (let i = 0; i < 300; i++) {
      try {
        accepted.push((await hooks.emit("add_credits", payload(i))).eventId);
      } catch {
        rejected++; // an emit that gave up was not accepted: the caller knows and may retry
      }
      if (i % 20 === 0) await new Promise((r) => setTimeout(r, 20));
    }
    await killer;
    await until(
      async () => {
        const c = await statusCounts(tables.db, prefix);
        return Object.keys(c).length > 0 && Object.keys(c).every((s) => s === "succeeded");
      },
      { timeoutMs: 60_000, everyMs: 100, what: "every stored delivery to succeed after the outage" },
    );
    expect(killed).toBeGreaterThan(0);
    const got = new Set(received());
    for (const id of accepted) expect(got.has(id)).toBe(true);
    console.log(
      `killed ${killed} connections; ${accepted.length} accepted, ${rejected} emits rejected, ${errors.length} error events`,
    );
    await hooks.stop();
    await tables.db.raw(`drop user '${user}'@'%'`);
    await tables.db.raw(`drop user '${user}'@'localhost'`);
  });
});
