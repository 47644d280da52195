import { expect, it } from "vitest";
import type { DeliveryStore } from "../../contracts/store.js";
import { makeEvent, makeOutcome, makeResult } from "../fixtures.js";
import { type ConformanceContext, claimOf } from "./helpers.js";

/** Inserting events: bytes, pre-claimed rows, idempotency keys, retried writes, large batches. */
export function insertCases(ctx: ConformanceContext): void {
  it("stores the body byte-exact (emoji, RTL, escaped NUL, astral) and the event fields", async () => {
    const store = ctx.store();
    const body = JSON.stringify({ name: "Zoë 😀 مرحبا \u0000 end", n: 1.5, eventCode: "add_credits" });
    const ev = makeEvent({ body, subject: "b-é", endpoints: ["ep-a", "ep-b"] });
    await store.insertEvents([ev]);
    const got = await store.getEvent(ev.id);
    expect(got?.body).toBe(body);
    expect(Buffer.from(got!.body, "utf8").equals(Buffer.from(body, "utf8"))).toBe(true);
    expect(got?.code).toBe("add_credits");
    expect(got?.subject).toBe("b-é");
    expect(got?.deliveries.map((d) => d.endpointId).sort()).toEqual(["ep-a", "ep-b"]);
    for (const d of got!.deliveries)
      expect(d).toMatchObject({ status: "pending", attempts: 0, eventId: ev.id });
  });

  it("inserts pre-claimed deliveries as sending with one attempt, invisible to claimers while leased", async () => {
    const store = ctx.store();
    const ev = makeEvent({ claim: { leaseMs: 60_000 } });
    await store.insertEvents([ev]);
    expect(await store.getDelivery(ev.deliveries[0]!.id)).toMatchObject({ status: "sending", attempts: 1 });
    expect(await store.claimDue({ limit: 10, leaseMs: 1000, workerId: "w", endpointIds: ["ep-a"] })).toEqual(
      [],
    );
    const report = await store.complete([
      makeResult(claimOf(ev), makeOutcome("success"), { status: "succeeded" }),
    ]);
    expect(report).toEqual({ applied: [ev.deliveries[0]!.id], stale: [] });
  });

  it("dedupes idempotency keys across batches and within one batch", async () => {
    const store = ctx.store();
    const a = makeEvent({ idempotencyKey: "k-1", endpoints: ["ep-a", "ep-b"] });
    expect((await store.insertEvents([a])).duplicates.size).toBe(0);
    const b = makeEvent({ idempotencyKey: "k-1" });
    const c = makeEvent({ idempotencyKey: "k-2" });
    const d = makeEvent({ idempotencyKey: "k-2" });
    const report = await store.insertEvents([b, c, d]);
    expect(report.duplicates.get(b.id)?.eventId).toBe(a.id);
    expect([...(report.duplicates.get(b.id)?.deliveryIds ?? [])].sort()).toEqual(
      a.deliveries.map((x) => x.id).sort(),
    );
    expect(report.duplicates.get(d.id)?.eventId).toBe(c.id);
    expect(report.duplicates.has(c.id)).toBe(false);
    expect(await store.getEvent(b.id)).toBeNull();
    expect((await store.listEvents({}, { limit: 10 })).items.map((e) => e.id).sort()).toEqual(
      [a.id, c.id].sort(),
    );
  });

  it("treats re-inserting an already stored event (a retried write) as a no-op", async () => {
    const store = ctx.store();
    const ev = makeEvent({
      claim: { leaseMs: 60_000 },
      endpoints: ["ep-a", "ep-b"],
      idempotencyKey: "k-retry",
    });
    const other = makeEvent();
    await store.insertEvents([ev]);
    await store.complete([makeResult(claimOf(ev), makeOutcome("success"), { status: "succeeded" })]);
    const again = await store.insertEvents([ev, other]);
    expect(again.duplicates.size).toBe(0);
    expect(await store.getDelivery(ev.deliveries[0]!.id)).toMatchObject({
      status: "succeeded",
      attempts: 1,
    });
    expect((await store.getEvent(ev.id))?.deliveries).toHaveLength(2);
    expect(await store.getEvent(other.id)).not.toBeNull();
    expect((await store.listEvents({}, { limit: 10 })).items).toHaveLength(2);
  });

  it("treats re-inserting stored events without idempotency keys as a no-op, and stores the new ones", async () => {
    const store = ctx.store();
    const stored = [makeEvent({ claim: { leaseMs: 60_000 } }), makeEvent({ endpoints: ["ep-a", "ep-b"] })];
    await store.insertEvents(stored);
    await store.complete([makeResult(claimOf(stored[0]!), makeOutcome("success"), { status: "succeeded" })]);
    const fresh = makeEvent({ endpoints: ["ep-a", "ep-b"] });
    const again = await store.insertEvents([stored[1]!, fresh, stored[0]!]);
    expect(again.duplicates.size).toBe(0);
    expect(await store.getDelivery(stored[0]!.deliveries[0]!.id)).toMatchObject({
      status: "succeeded",
      attempts: 1,
    });
    expect((await store.getEvent(fresh.id))?.deliveries).toHaveLength(2);
    expect((await store.listEvents({}, { limit: 10 })).items).toHaveLength(3);
  });

  it("stores an event given twice in one batch once, with or without an idempotency key", async () => {
    const store = ctx.store();
    const plain = makeEvent({ endpoints: ["ep-a", "ep-b"] });
    const keyed = makeEvent({ idempotencyKey: "k-twice" });
    const report = await store.insertEvents([plain, keyed, plain, keyed]);
    expect(report.duplicates.size).toBe(0);
    expect((await store.getEvent(plain.id))?.deliveries).toHaveLength(2);
    expect((await store.listEvents({}, { limit: 10 })).items).toHaveLength(2);
  });

  it("inserts large batches (600 events × 3 deliveries) in one call", async () => {
    const store = ctx.store();
    const batch = Array.from({ length: 600 }, () => makeEvent({ endpoints: ["e1", "e2", "e3"] }));
    await store.insertEvents(batch);
    let n = 0;
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<DeliveryStore["listDeliveries"]>> = await store.listDeliveries(
        {},
        { limit: 500, cursor },
      );
      n += page.items.length;
      cursor = page.nextCursor;
    } while (cursor);
    expect(n).toBe(1800);
  });
}
