import type { ClaimedDelivery } from "@hookline/core";
import { makeEvent, makeOutcome, makeResult } from "@hookline/core/testing";
import type { Knex } from "knex";
import { expect, it, vi } from "vitest";
import { useTestEnv } from "../__fixtures__/test-env.js";
import { dialectOf } from "../dialect.js";
import { describeTargets, testTargets } from "../testing/databases.js";
import { num } from "../util/convert.js";

const targets = await testTargets();

/** The database clock in epoch milliseconds (app time on SQLite), as claims compare leases. */
async function dbNowMs(db: Knex): Promise<number> {
  const now = await db.raw(`SELECT ${dialectOf(db)!.nowMs()} AS n`);
  return num((Array.isArray(now) ? (now[0]?.[0] ?? now[0]) : (now.rows?.[0] ?? now[0]))?.n ?? Number.NaN);
}

describeTargets(targets, "claimDue", (target) => {
  const env = useTestEnv(target, "cl");

  it("three concurrent claimers (separate pools) over 300 due rows claim every row exactly once", async () => {
    const { store, open } = env();
    await store.insertEvents(Array.from({ length: 150 }, () => makeEvent({ endpoints: ["e1", "e2"] })));
    const workers = await Promise.all([1, 2, 3].map(() => open()));
    const claims: ClaimedDelivery[] = [];
    const perWorker = [0, 0, 0];
    await Promise.all(
      workers.map(async (w, i) => {
        // A claimer may come back empty while others hold the last rows; stop after a few misses.
        for (let misses = 0; misses < 3; ) {
          const batch = await w.claimDue({
            limit: 9,
            leaseMs: 60_000,
            workerId: `w${i}`,
            endpointIds: ["e1", "e2"],
          });
          if (batch.length === 0) misses++;
          else misses = 0;
          claims.push(...batch);
          perWorker[i]! += batch.length;
        }
      }),
    );
    const ids = claims.map((c) => c.id);
    expect(ids).toHaveLength(300);
    expect(new Set(ids).size).toBe(300);
    expect(new Set(claims.map((c) => c.claimToken)).size).toBe(300);
    expect(claims.every((c) => c.attempts === 1)).toBe(true);
    const sending = await store.listDeliveries({ status: ["sending"] }, { limit: 1000 });
    expect(sending.items).toHaveLength(300);
    expect(sending.items.every((d) => d.attempts === 1)).toBe(true);
    expect(perWorker.reduce((a, b) => a + b, 0)).toBe(300);
  });

  /** Resolves once the delivery's lease has run out on the database clock (never claims it). */
  const leaseRunOut = async (id: string) => {
    const { db, t } = env();
    await vi.waitFor(
      async () => {
        const row = await db(t.deliveries).select("lease_until").where("id", id).first();
        expect(num(row.lease_until)).toBeLessThan(await dbNowMs(db));
      },
      { timeout: 10_000, interval: 25 },
    );
  };

  it("re-claims a delivery once its lease expires; the first claimer's completion is fenced out", async () => {
    const { store } = env();
    const ev = makeEvent();
    await store.insertEvents([ev]);
    const [first] = await store.claimDue({
      limit: 5,
      leaseMs: 1_000,
      workerId: "slow",
      endpointIds: ["ep-a"],
    });
    expect(first?.id).toBe(ev.deliveries[0]!.id);
    expect(
      await store.claimDue({ limit: 5, leaseMs: 60_000, workerId: "fast", endpointIds: ["ep-a"] }),
    ).toEqual([]);
    await leaseRunOut(first!.id);
    const [second] = await store.claimDue({
      limit: 5,
      leaseMs: 60_000,
      workerId: "fast",
      endpointIds: ["ep-a"],
    });
    expect(second).toMatchObject({ id: first!.id, attempts: 2 });
    expect(second!.claimToken).not.toBe(first!.claimToken);
    const late = await store.complete([makeResult(first!, makeOutcome("success"), { status: "succeeded" })]);
    expect(late).toEqual({ applied: [], stale: [first!.id] });
    expect((await store.getDelivery(first!.id))?.attemptLog).toEqual([]);
    const done = await store.complete([
      makeResult(second!, makeOutcome("retryable"), { status: "pending", delayMs: 60_000 }),
    ]);
    expect(done.applied).toEqual([first!.id]);
    const d = await store.getDelivery(first!.id);
    expect(d).toMatchObject({ status: "pending", attempts: 2 });
    expect(d?.attemptLog.map((a) => a.attempt)).toEqual([2]);
  });

  it("serves expired leases before due rows and returns the event body and creation time", async () => {
    const { store } = env();
    const due = makeEvent({ body: '{"n":"due"}', createdAt: new Date("2024-01-02T03:04:05.678Z") });
    await store.insertEvents([due]);
    const crashed = makeEvent({ claim: { leaseMs: 100 }, body: '{"n":"crashed"}' });
    await store.insertEvents([crashed]);
    await leaseRunOut(crashed.deliveries[0]!.id);
    const [a, b] = await store.claimDue({ limit: 2, leaseMs: 60_000, workerId: "w", endpointIds: ["ep-a"] });
    expect(a).toMatchObject({ id: crashed.deliveries[0]!.id, body: '{"n":"crashed"}', attempts: 2 });
    expect(b).toMatchObject({ id: due.deliveries[0]!.id, body: '{"n":"due"}', attempts: 1, eventId: due.id });
    expect(b!.eventCreatedAt.toISOString()).toBe("2024-01-02T03:04:05.678Z");
  });

  it("writes lease and due times on the database clock", async () => {
    const { store, db, t } = env();
    const ev = makeEvent();
    await store.insertEvents([ev]);
    await store.claimDue({ limit: 1, leaseMs: 90_000, workerId: "w", endpointIds: ["ep-a"] });
    const row = await db(t.deliveries).select("lease_until").where("id", ev.deliveries[0]!.id).first();
    const dbNow = await dbNowMs(db);
    // The clock expression is epoch milliseconds (a unit slip would be off by 1000x).
    expect(Math.abs(dbNow - Date.now())).toBeLessThan(5000);
    expect(num(row.lease_until) - dbNow).toBeGreaterThan(85_000);
    expect(num(row.lease_until) - dbNow).toBeLessThanOrEqual(90_000);
  });

  it("rejects invalid claim options", async () => {
    const { store } = env();
    const ok = { limit: 5, leaseMs: 1000, workerId: "w", endpointIds: ["ep-a"] };
    for (const bad of [
      { ...ok, limit: 0 },
      { ...ok, leaseMs: -1 },
      { ...ok, workerId: "" },
      { ...ok, limit: 100_000 },
      { ...ok, endpointIds: undefined as never },
      { ...ok, endpointIds: "ep-a" as never },
      { ...ok, endpointIds: ["ep-a", ""] },
    ])
      await expect(store.claimDue(bad)).rejects.toMatchObject({ code: "HOOKLINE_INVALID_OPTION" });
  });
});
