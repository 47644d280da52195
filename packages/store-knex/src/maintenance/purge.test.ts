import { makeEvent, makeOutcome, makeResult } from "@hookline/core/testing";
import { expect, it } from "vitest";
import { useTestEnv } from "../__fixtures__/test-env.js";
import { describeTargets, testTargets } from "../testing/databases.js";

const targets = await testTargets();
const HOUR = 3_600_000;
const claimOf = (ev: ReturnType<typeof makeEvent>, i = 0) => {
  const d = ev.deliveries[i]!;
  return { id: d.id, claimToken: d.claim!.token, attempts: 1, endpointId: d.endpointId, eventCode: ev.code };
};

describeTargets(targets, "purge", (target) => {
  const env = useTestEnv(target, "pg");

  it("never deletes pending or sending rows, however old, nor their attempts or events", async () => {
    const { store, db, t } = env();
    const waiting = makeEvent({ claim: { leaseMs: 60_000 } });
    const inflight = makeEvent({ claim: { leaseMs: 60_000 } });
    const done = makeEvent({ claim: { leaseMs: 60_000 } });
    await store.insertEvents([waiting, inflight, done]);
    await store.complete([
      makeResult(claimOf(waiting), makeOutcome("retryable"), { status: "pending", delayMs: HOUR }),
      makeResult(claimOf(done), makeOutcome("success"), { status: "succeeded" }),
    ]);
    // Age every row far past the cut-off: only the status may protect them.
    await db(t.deliveries).update({ updated_at: 1, created_at: 1 });
    await db(t.events).update({ created_at: 1 });
    expect(await store.purge(new Date(Date.now() + HOUR), { batchSize: 1 })).toBe(1);
    expect(await store.getDelivery(done.deliveries[0]!.id)).toBeNull();
    expect(await store.getEvent(done.id)).toBeNull();
    const w = await store.getDelivery(waiting.deliveries[0]!.id);
    expect(w?.status).toBe("pending");
    expect(w?.attemptLog).toHaveLength(1);
    expect((await store.getDelivery(inflight.deliveries[0]!.id))?.status).toBe("sending");
    expect(await store.getEvent(inflight.id)).not.toBeNull();
  });

  it("deletes in batches: 25 terminal deliveries with batchSize 4, their attempts and emptied events", async () => {
    const { store, db, t } = env();
    const evs = Array.from({ length: 25 }, () => makeEvent({ claim: { leaseMs: 60_000 } }));
    const keep = makeEvent({ claim: { leaseMs: 60_000 }, endpoints: ["a", "b"] });
    await store.insertEvents([...evs, keep]);
    await store.complete([
      ...evs.map((ev, i) =>
        makeResult(claimOf(ev), makeOutcome(i % 2 ? "success" : "permanent"), {
          status: i % 3 === 0 ? "cancelled" : i % 2 ? "succeeded" : "failed",
        }),
      ),
      makeResult(claimOf(keep, 0), makeOutcome("success"), { status: "succeeded" }),
    ]);
    expect(await store.purge(new Date(Date.now() + 1000), { batchSize: 4 })).toBe(26);
    const count = async (table: string) => Number((await db(table).count({ n: "*" }))[0]!.n);
    expect(await count(t.attempts)).toBe(0);
    expect(await count(t.deliveries)).toBe(1);
    expect(await count(t.events)).toBe(1);
    expect((await store.getEvent(keep.id))?.deliveries.map((d) => d.id)).toEqual([keep.deliveries[1]!.id]);
  });

  it("keeps rows updated at or after the cut-off", async () => {
    const { store, db, t } = env();
    const ev = makeEvent({ claim: { leaseMs: 60_000 } });
    await store.insertEvents([ev]);
    await store.complete([makeResult(claimOf(ev), makeOutcome("success"), { status: "succeeded" })]);
    // A row is never updated before it is created: created_at <= updated_at.
    await db(t.deliveries).update({ created_at: 4000, updated_at: 5000 });
    expect(await store.purge(new Date(4500))).toBe(0);
    expect(await store.purge(new Date(5000))).toBe(0);
    expect(await store.purge(new Date(5001))).toBe(1);
  });

  it("deletes exactly the terminal rows last updated before the cut-off, whatever their creation time", async () => {
    const { store, db, t } = env();
    const evs = Array.from({ length: 12 }, () => makeEvent({ claim: { leaseMs: 60_000 } }));
    await store.insertEvents(evs);
    await store.complete(
      evs.map((ev, i) =>
        makeResult(claimOf(ev), makeOutcome(i % 2 ? "success" : "permanent"), {
          status: (["succeeded", "failed", "cancelled"] as const)[i % 3]!,
        }),
      ),
    );
    // Created at 1000 + i, updated at 1000 + 10 i: the cut-off 1061 falls between the two times
    // of rows 7..11, and only rows 0..6 were last updated before it.
    for (const [i, ev] of evs.entries())
      await db(t.deliveries)
        .where("id", ev.deliveries[0]!.id)
        .update({ created_at: 1000 + i, updated_at: 1000 + 10 * i });
    expect(await store.purge(new Date(1061), { batchSize: 3 })).toBe(7);
    const left = (await db(t.deliveries).select("id").orderBy("id")).map((r) => r.id);
    expect(left).toEqual(
      evs
        .slice(7)
        .map((ev) => ev.deliveries[0]!.id)
        .sort(),
    );
    expect(Number((await db(t.attempts).count({ n: "*" }))[0]!.n)).toBe(5);
  });

  it("ages out events that never had a delivery, and frees their idempotency keys", async () => {
    const { store, db, t } = env();
    const lonely = makeEvent({ endpoints: [], idempotencyKey: "k-lonely" });
    const fresh = makeEvent({ endpoints: [] });
    await store.insertEvents([lonely, fresh]);
    await db(t.events).where("id", lonely.id).update({ created_at: 1 });
    expect(await store.purge(new Date(Date.now() - HOUR))).toBe(0);
    expect(await store.getEvent(lonely.id)).toBeNull();
    expect(await store.getEvent(fresh.id)).not.toBeNull();
    const again = makeEvent({ idempotencyKey: "k-lonely" });
    expect((await store.insertEvents([again])).duplicates.size).toBe(0);
  });

  it("rejects a bad cut-off or batch size", async () => {
    const { store } = env();
    await expect(store.purge(new Date(Number.NaN))).rejects.toMatchObject({
      code: "HOOKLINE_INVALID_OPTION",
    });
    await expect(store.purge(new Date(), { batchSize: 0 })).rejects.toMatchObject({
      code: "HOOKLINE_INVALID_OPTION",
    });
  });
});
