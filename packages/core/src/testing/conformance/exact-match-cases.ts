import { expect, it } from "vitest";
import type { DeliveryStore, NewEvent } from "../../contracts/store.js";
import { makeEvent, makeOutcome, makeResult } from "../fixtures.js";
import { type ConformanceContext, claimOf, HOUR } from "./helpers.js";

/**
 * Identifiers compare byte for byte: a trailing space or a different letter case makes another
 * key, subject, endpoint, event code or token. (MySQL's PAD SPACE and *_ci collations would
 * merge them.)
 */
export function exactMatchCases(ctx: ConformanceContext): void {
  const deliveryIds = async (store: DeliveryStore, f: Parameters<DeliveryStore["listDeliveries"]>[0]) =>
    (await store.listDeliveries(f, { limit: 100 })).items.map((d) => d.id).sort();
  const eventIds = async (store: DeliveryStore, f: Parameters<DeliveryStore["listEvents"]>[0]) =>
    (await store.listEvents(f, { limit: 100 })).items.map((e) => e.id).sort();
  const firstDelivery = (ev: NewEvent) => ev.deliveries[0]!.id;

  it("treats idempotency keys `k`, `k ` and `K` as three different events", async () => {
    const store = ctx.store();
    const k = makeEvent({ idempotencyKey: "k" });
    expect((await store.insertEvents([k])).duplicates.size).toBe(0);
    const spaced = makeEvent({ idempotencyKey: "k " });
    const upper = makeEvent({ idempotencyKey: "K" });
    expect((await store.insertEvents([spaced, upper])).duplicates.size).toBe(0);
    for (const ev of [k, spaced, upper]) expect((await store.getEvent(ev.id))?.id).toBe(ev.id);
    // Each key still dedupes against itself, and only against itself.
    const again = [makeEvent({ idempotencyKey: "k " }), makeEvent({ idempotencyKey: "K" })];
    const report = await store.insertEvents(again);
    expect(report.duplicates.get(again[0]!.id)?.eventId).toBe(spaced.id);
    expect(report.duplicates.get(again[1]!.id)?.eventId).toBe(upper.id);
    expect(await eventIds(store, {})).toEqual([k.id, spaced.id, upper.id].sort());
  });

  it("finds an event or delivery only by its exact id", async () => {
    const store = ctx.store();
    const ev = makeEvent();
    await store.insertEvents([ev]);
    expect(await store.getEvent(`${ev.id} `)).toBeNull();
    expect(await store.getEvent(ev.id.toUpperCase())).toBeNull();
    expect(await store.getDelivery(`${firstDelivery(ev)} `)).toBeNull();
    expect(await deliveryIds(store, { eventId: `${ev.id} ` })).toEqual([]);
    expect(await deliveryIds(store, { eventId: ev.id })).toEqual([firstDelivery(ev)]);
  });

  it("matches the subject filter exactly: `0000 ` and `0000` are different subjects", async () => {
    const store = ctx.store();
    const plain = makeEvent({ subject: "0000" });
    const spaced = makeEvent({ subject: "0000 " });
    const other = makeEvent({ subject: "buyer-1" });
    const upper = makeEvent({ subject: "BUYER-1" });
    await store.insertEvents([plain, spaced, other, upper]);
    expect(await eventIds(store, { subject: "0000 " })).toEqual([spaced.id]);
    expect(await eventIds(store, { subject: "0000" })).toEqual([plain.id]);
    expect(await eventIds(store, { subject: "buyer-1" })).toEqual([other.id]);
    expect(await deliveryIds(store, { subject: "0000 " })).toEqual([firstDelivery(spaced)]);
    expect(await deliveryIds(store, { subject: "0000" })).toEqual([firstDelivery(plain)]);
    expect(await deliveryIds(store, { subject: "BUYER-1" })).toEqual([firstDelivery(upper)]);
    expect((await store.getEvent(spaced.id))?.subject).toBe("0000 ");
  });

  it("matches the endpoint-id filter exactly, and disabling `ep-x ` leaves `ep-x` alone", async () => {
    const store = ctx.store();
    const ev = makeEvent({ endpoints: ["ep-x", "ep-x ", "EP-X"] });
    await store.insertEvents([ev]);
    const [plain, spaced, upper] = ev.deliveries.map((d) => d.id);
    expect(await deliveryIds(store, { endpointId: ["ep-x "] })).toEqual([spaced]);
    expect(await deliveryIds(store, { endpointId: ["ep-x"] })).toEqual([plain]);
    expect(await deliveryIds(store, { endpointId: ["EP-X"] })).toEqual([upper]);
    expect(await store.setEndpointDisabled("ep-x ", true, "gone")).toEqual({ cancelled: 1 });
    const states = await store.getEndpointStates();
    expect(states.map((s) => [s.endpointId, s.disabled])).toEqual([["ep-x ", true]]);
    expect(await deliveryIds(store, { status: ["cancelled"] })).toEqual([spaced]);
    expect(await store.setEndpointDisabled("ep-x", false)).toEqual({ cancelled: 0 });
    const after = await store.getEndpointStates();
    expect(Object.fromEntries(after.map((s) => [s.endpointId, s.disabled]))).toEqual({
      "ep-x": false,
      "ep-x ": true,
    });
  });

  it("matches the event-code filter exactly", async () => {
    const store = ctx.store();
    const plain = makeEvent({ code: "add_credits" });
    const spaced = makeEvent({ code: "add_credits " });
    const upper = makeEvent({ code: "ADD_CREDITS" });
    await store.insertEvents([plain, spaced, upper]);
    expect(await eventIds(store, { eventCode: ["add_credits "] })).toEqual([spaced.id]);
    expect(await eventIds(store, { eventCode: ["add_credits"] })).toEqual([plain.id]);
    expect(await eventIds(store, { eventCode: ["ADD_CREDITS"] })).toEqual([upper.id]);
    expect(await deliveryIds(store, { eventCode: ["add_credits "] })).toEqual([firstDelivery(spaced)]);
    expect(await deliveryIds(store, { eventCode: ["add_credits"] })).toEqual([firstDelivery(plain)]);
  });

  it("counts endpoints and event codes that differ only by a trailing space apart in stats", async () => {
    const store = ctx.store();
    const evs = [
      makeEvent({ claim: { leaseMs: 60_000 }, endpoints: ["ep-s"] }),
      makeEvent({ claim: { leaseMs: 60_000 }, endpoints: ["ep-s "] }),
      makeEvent({ claim: { leaseMs: 60_000 }, endpoints: ["ep-s"], code: "add_credits " }),
    ];
    await store.insertEvents(evs);
    await store.complete(
      evs.map((ev) => makeResult(claimOf(ev), makeOutcome("success"), { status: "succeeded" })),
    );
    // Whole hours around now, so a store that keeps an hourly roll-up reads these from it.
    const hour = Math.floor(Date.now() / HOUR) * HOUR;
    const rows = await store.stats({ since: new Date(hour - HOUR), until: new Date(hour + 2 * HOUR) });
    expect(rows.map((r) => [r.eventCode, r.endpointId, r.total, r.counts.succeeded]).sort()).toEqual(
      [
        ["add_credits", "ep-s", 1, 1],
        ["add_credits", "ep-s ", 1, 1],
        ["add_credits ", "ep-s", 1, 1],
      ].sort(),
    );
    const health = await store.endpointHealth({
      since: new Date(hour - HOUR),
      until: new Date(hour + 2 * HOUR),
    });
    expect(health.map((h) => [h.endpointId, h.attemptsInRange]).sort()).toEqual(
      [
        ["ep-s", 2],
        ["ep-s ", 1],
      ].sort(),
    );
  });

  it("fences a completion by the exact claim token", async () => {
    const store = ctx.store();
    const ev = makeEvent({ claim: { leaseMs: 60_000 } });
    await store.insertEvents([ev]);
    const claim = claimOf(ev);
    const padded = { ...claim, claimToken: `${claim.claimToken} ` };
    const stale = await store.complete([makeResult(padded, makeOutcome("success"), { status: "succeeded" })]);
    expect(stale).toEqual({ applied: [], stale: [claim.id] });
    expect(await store.getDelivery(claim.id)).toMatchObject({ status: "sending" });
  });
}
