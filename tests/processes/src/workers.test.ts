import { setTimeout as sleep } from "node:timers/promises";
import { makeEvent, TEST_SECRET, until } from "@hookline/core/testing";
import { describeTargets } from "@hookline/store-knex/testing";
import { expect, it } from "vitest";
import { creditsBody, mariadb, spawnWorker, statusCounts, useProcessEnv } from "./harness.js";

describeTargets([await mariadb()], "worker processes", (target) => {
  const env = useProcessEnv("w", target);

  it("three workers on one table send every due delivery exactly once", async () => {
    const { receiver, tables, prefix, procs } = env;
    const events = Array.from({ length: 600 }, (_, i) =>
      makeEvent({ code: "add_credits", endpoints: ["r"], body: creditsBody(i) }),
    );
    for (let i = 0; i < events.length; i += 200) await tables.store.insertEvents(events.slice(i, i + 200));
    receiver.on("/r", { delayMs: 5 });
    const endpoints = [{ id: "r", url: receiver.url("/r"), events: "*" as const, secret: TEST_SECRET }];
    // What this measures is that concurrent claims never overlap. A lease that runs out on a busy
    // machine re-sends legitimately (at least once), so the lease here outlasts the whole run.
    for (const n of [1, 2, 3])
      procs.push(spawnWorker({ prefix, endpoints, workerId: `w${n}`, batchSize: 10, leaseMs: 60_000 }));
    await until(async () => (await statusCounts(tables.db, prefix)).succeeded === 600, {
      timeoutMs: 60_000,
      everyMs: 100,
      what: "600 succeeded deliveries",
    });
    expect(env.received()).toHaveLength(600);
    expect(new Set(env.received())).toEqual(new Set(events.map((e) => e.id)));
    const attempts = await tables.db(`${prefix}attempts`).count({ n: "*" });
    expect(Number(attempts[0]!.n)).toBe(600);
  });

  it("a zombie whose lease expired cannot overwrite the newer result", async () => {
    const { receiver, tables, prefix, procs } = env;
    const ev = makeEvent({ code: "add_credits", endpoints: ["z"], body: creditsBody(1) });
    await tables.store.insertEvents([ev]);
    receiver.on("/z", [{ status: 500, delayMs: 3_000 }, { status: 200 }]);
    const endpoints = [{ id: "z", url: receiver.url("/z"), events: "*" as const, secret: TEST_SECRET }];
    // No send outlives its lease (the deadline is half of it, checked), so the zombie is a process
    // that stalls mid-send, as one does when it is paused or its event loop is blocked. It is
    // paused once its claims have gone idle, not inside a claim's transaction, whose row locks
    // would hold the rescuer's claim up for as long as it sleeps.
    const zombie = spawnWorker({
      prefix,
      endpoints,
      workerId: "zombie",
      leaseMs: 4_000,
      pollIntervalMs: 60_000,
    });
    procs.push(zombie);
    await receiver.waitFor(1, { timeoutMs: 15_000 });
    // Well inside its 2 s deadline (half its lease), well after its last claim.
    await sleep(500);
    zombie.child.kill("SIGSTOP");
    procs.push(spawnWorker({ prefix, endpoints, workerId: "rescuer", leaseMs: 1_000 }));
    const id = ev.deliveries[0]!.id;
    await until(async () => (await tables.store.getDelivery(id))?.status === "succeeded", {
      timeoutMs: 15_000,
      everyMs: 100,
      what: "the rescuer's success",
    });
    expect(receiver.requests).toHaveLength(2);
    // Woken, the zombie ends its attempt (its deadline has passed) and the store refuses the result.
    zombie.child.kill("SIGCONT");
    await zombie.waitFor((m) => m.some((x) => Array.isArray(x.stale) && x.stale.includes(id)), 15_000);
    const d = await tables.store.getDelivery(id);
    expect(d).toMatchObject({ status: "succeeded", attempts: 2, lastStatus: 200 });
    expect(d?.attemptLog.map((a) => [a.attempt, a.responseStatus])).toEqual([[2, 200]]);
  });
});
