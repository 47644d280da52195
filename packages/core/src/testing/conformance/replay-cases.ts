import { expect, it } from "vitest";
import type { ClaimedDelivery, DeliveryStore, NextState } from "../../contracts/store.js";
import type { OutcomeKind } from "../../contracts/transport.js";
import { makeEvent, makeOutcome, makeResult } from "../fixtures.js";
import { type ConformanceContext, claimOf } from "./helpers.js";

/**
 * The replay counter: each requeue of a terminal delivery counts one replay, retries and
 * re-claims keep it, so a transport can tell an admin replay from a retry of the same send.
 */
export function replayCases(ctx: ConformanceContext): void {
  const claimAll = (store: DeliveryStore) =>
    store.claimDue({ limit: 10, leaseMs: 60_000, workerId: "w", endpointIds: ["ep-a"] });
  /** Claim the one due delivery `id`, check the claim's counters and complete its attempt. */
  const attempt = async (
    store: DeliveryStore,
    id: string,
    counts: Pick<ClaimedDelivery, "attempts" | "replays">,
    kind: OutcomeKind,
    next: NextState,
  ) => {
    const claimed = await claimAll(store);
    expect(claimed.map((c) => c.id)).toEqual([id]);
    const c = claimed[0] as ClaimedDelivery;
    expect({ attempts: c.attempts, replays: c.replays }).toEqual(counts);
    await store.complete([makeResult(c, makeOutcome(kind), next)]);
  };
  const retry: NextState = { status: "pending", delayMs: 0 };

  it("counts replays: two requeues show replays 2 at the claim; retries leave it unchanged", async () => {
    const store = ctx.store();
    const ev = makeEvent();
    const id = ev.deliveries[0]!.id;
    await store.insertEvents([ev]);
    expect(await store.getDelivery(id)).toMatchObject({ replays: 0 });

    // First attempt and a retry: no replay yet.
    await attempt(store, id, { attempts: 1, replays: 0 }, "retryable", retry);
    await attempt(store, id, { attempts: 2, replays: 0 }, "success", { status: "succeeded" });

    // Replay by id, then a retry of that replay keeps its count.
    expect(await store.requeue({ ids: [id] })).toBe(1);
    expect(await store.getDelivery(id)).toMatchObject({ status: "pending", replays: 1 });
    await attempt(store, id, { attempts: 3, replays: 1 }, "retryable", retry);
    await attempt(store, id, { attempts: 4, replays: 1 }, "retryable", { status: "failed" });

    // Replay by filter.
    expect(await store.requeue({ filter: { eventId: ev.id } })).toBe(1);
    await attempt(store, id, { attempts: 5, replays: 2 }, "success", { status: "succeeded" });
    expect(await store.getDelivery(id)).toMatchObject({ status: "succeeded", attempts: 5, replays: 2 });
    expect((await store.listDeliveries({ eventId: ev.id }, { limit: 10 })).items).toMatchObject([
      { id, replays: 2 },
    ]);
  });

  it("counts only deliveries that moved: a requeue of a pending or sending one, or of another, leaves replays alone", async () => {
    const store = ctx.store();
    const sending = makeEvent({ claim: { leaseMs: 60_000 } });
    const pending = makeEvent({ endpoints: ["ep-z"] });
    const done = makeEvent({ claim: { leaseMs: 60_000 } });
    await store.insertEvents([sending, pending, done]);
    const idOf = (e: typeof sending) => e.deliveries[0]!.id;
    await store.complete([makeResult(claimOf(done), makeOutcome("success"), { status: "succeeded" })]);
    expect(await store.requeue({ ids: [idOf(sending), idOf(pending), idOf(done), idOf(done)] })).toBe(1);
    const replays = async (e: typeof sending) => (await store.getDelivery(idOf(e)))?.replays;
    expect(await replays(sending)).toBe(0);
    expect(await replays(pending)).toBe(0);
    expect(await replays(done)).toBe(1);
  });
}
