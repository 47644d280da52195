import { describe, expect, it, vi } from "vitest";
import type { ClaimedDelivery, DeliveryStore } from "../contracts/store.js";
import { Capacity, type Reservation } from "../dispatch/capacity.js";
import { memoryStore } from "../memory/memory-store.js";
import { subjectEvents } from "../testing/conformance/subject-events.js";
import { makeOutcome, makeResult } from "../testing/fixtures.js";
import { systemClock } from "../util/clock.js";
import { SuccessorClaims } from "./successor-claims.js";

const silent = { debug() {}, info() {}, warn() {}, error() {} };

function setUp(opts: { store?: DeliveryStore; maxInFlight?: number; active?: () => boolean } = {}) {
  const store = opts.store ?? memoryStore();
  const capacity = new Capacity<unknown>({ maxInFlight: opts.maxInFlight ?? 10, maxQueued: 0 });
  const launched: ClaimedDelivery[] = [];
  const reservations: Reservation[] = [];
  const nudge = vi.fn();
  const successors = new SuccessorClaims({
    store,
    capacity,
    clock: systemClock,
    logger: silent,
    leaseMs: 60_000,
    batchSize: 100,
    workerId: "w",
    endpointIds: ["ep-a"],
    controls: [],
    active: opts.active ?? (() => true),
    launch: (claimed, _at, reservation) => {
      launched.push(...claimed);
      reservations.push(reservation);
    },
    giveBack: async () => {},
    nudge,
  });
  return { store, capacity, successors, launched, reservations, nudge };
}

/** Two ordered deliveries of s1 and one of s2 to ep-a; s1's first is claimed and then ends. */
async function firstOfS1Ended(store: DeliveryStore) {
  const at = subjectEvents();
  const [a, b] = [at(0, { ordered: true }), at(1, { ordered: true })];
  const c = at(2, { ordered: true, subject: "s2" });
  await store.insertEvents([a, b, c]);
  const [claimA] = await store.claimDue({
    limit: 1,
    leaseMs: 60_000,
    workerId: "w",
    endpointIds: ["ep-a"],
    subjects: [{ endpointId: "ep-a", subject: "s1" }],
  });
  await store.complete([makeResult(claimA!, makeOutcome("success"), { status: "succeeded" })]);
  return { a, b, c };
}

describe("successor claims", () => {
  it("claims the next delivery of each subject it is given, and only those", async () => {
    const { store, successors, launched, nudge } = setUp();
    const { b } = await firstOfS1Ended(store);
    successors.add({ endpointId: "ep-a", subject: "s1" });
    await successors.settled();
    expect(launched.map((c) => c.id)).toEqual([b.deliveries[0]!.id]);
    expect(nudge).not.toHaveBeenCalled();
  });

  it("hands what it claims a reservation of the free slots, given back after the launch", async () => {
    const { store, capacity, successors, reservations, launched } = setUp({ maxInFlight: 4 });
    const { b, c } = await firstOfS1Ended(store);
    successors.add({ endpointId: "ep-a", subject: "s1" });
    successors.add({ endpointId: "ep-a", subject: "s2" });
    await successors.settled();
    // s1's next and s2's first; launching here takes no place, so every place is free again.
    expect(launched.map((x) => x.id).sort()).toEqual([b.deliveries[0]!.id, c.deliveries[0]!.id].sort());
    expect(reservations.length).toBeGreaterThan(0);
    expect(capacity.claimable).toBe(4);
  });

  it("with no free slot claims nothing and wakes the worker's own claim instead", async () => {
    const { store, capacity, successors, launched, nudge } = setUp({ maxInFlight: 1 });
    await firstOfS1Ended(store);
    capacity.reserve(1);
    successors.add({ endpointId: "ep-a", subject: "s1" });
    await successors.settled();
    expect(launched).toEqual([]);
    expect(nudge).toHaveBeenCalledTimes(1);
    // Left pending for that claim.
    expect(
      await store.claimDue({ limit: 10, leaseMs: 60_000, workerId: "w", endpointIds: ["ep-a"] }),
    ).toHaveLength(2);
  });

  it("a failed claim leaves the subject to the worker's own claim", async () => {
    const store = memoryStore();
    const failing: DeliveryStore = Object.create(store, {
      claimDue: { value: async () => Promise.reject(new Error("store down")) },
    });
    const { successors, launched, nudge } = setUp({ store: failing });
    successors.add({ endpointId: "ep-a", subject: "s1" });
    await successors.settled();
    expect(launched).toEqual([]);
    expect(nudge).toHaveBeenCalledTimes(1);
  });

  it("claims nothing once the worker has stopped", async () => {
    const { store, successors, launched, nudge } = setUp({ active: () => false });
    await firstOfS1Ended(store);
    successors.add({ endpointId: "ep-a", subject: "s1" });
    await successors.settled();
    expect(launched).toEqual([]);
    expect(nudge).not.toHaveBeenCalled();
    expect(
      await store.claimDue({ limit: 10, leaseMs: 60_000, workerId: "w", endpointIds: ["ep-a"] }),
    ).toHaveLength(2);
  });
});
