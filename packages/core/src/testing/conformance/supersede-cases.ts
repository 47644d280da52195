import { expect, it } from "vitest";
import { makeOutcome, makeResult } from "../fixtures.js";
import { tooMany } from "./control-helpers.js";
import { type ConformanceContext, claimOf, HOUR } from "./helpers.js";
import { claimAll, detail, idOf, idsOf, subjectEvents } from "./subject-events.js";

const SUPERSEDED = "HOOKLINE_SUPERSEDED";

/**
 * Supersede: a delivery marked `supersede` cancels, in its insert, the pending deliveries of the
 * same endpoint, subject and event code created before it, with HOOKLINE_SUPERSEDED. Deliveries
 * in flight finish; cancelled ones stay replayable.
 */
export function supersedeCases(ctx: ConformanceContext): void {
  it("supersede: cancels only older pending deliveries of the same endpoint, subject and code; counts them; a requeue replays one", async () => {
    const store = ctx.store();
    const at = subjectEvents();
    const stale = at(0);
    const inFlight = at(1, { claim: true });
    const otherEndpoint = at(2, { endpoints: ["ep-b"] });
    const otherCode = at(3, { code: "add_credits" });
    const otherSubject = at(4, { subject: "s2" });
    const newer = at(20);
    await store.insertEvents([stale, inFlight, otherEndpoint, otherCode, otherSubject, newer]);

    const fresh = at(10, { supersede: true });
    const report = await store.insertEvents([fresh]);
    expect(report.superseded).toEqual(new Map([["ep-a", 1]]));
    expect(report.unclaimed?.size ?? 0).toBe(0);
    expect(await detail(store, idOf(stale))).toMatchObject({
      status: "cancelled",
      lastErrorCode: SUPERSEDED,
      nextAttemptAt: null,
      attempts: 0,
    });
    expect((await detail(store, idOf(inFlight))).status).toBe("sending");
    for (const ev of [otherEndpoint, otherCode, otherSubject, newer, fresh])
      expect((await detail(store, idOf(ev))).status).toBe("pending");

    const range = { since: new Date(Date.now() - 2 * HOUR), until: new Date(Date.now() + HOUR) };
    const row = (await store.stats(range)).find(
      (r) => r.eventCode === "post_code_change" && r.endpointId === "ep-a",
    );
    expect(row?.counts).toMatchObject({ cancelled: 1, pending: 3, sending: 1 });

    // Never claimed while cancelled; a replay sends it after all.
    expect(idsOf(await claimAll(store))).not.toContain(idOf(stale));
    expect(await store.requeue({ ids: [idOf(stale)] })).toBe(1);
    expect(await detail(store, idOf(stale))).toMatchObject({ status: "pending", replays: 1 });
    expect(idsOf(await claimAll(store))).toEqual([idOf(stale)]);
  });

  it("supersede: within one batch the newer event cancels an older pending one, counted per endpoint; a claimed older one is in flight and kept", async () => {
    const store = ctx.store();
    const at = subjectEvents();
    const both = { endpoints: ["ep-a", "ep-b"] };
    const [older, newest] = [at(0, both), at(5, { ...both, supersede: true })];
    const report = await store.insertEvents([newest, older]);
    expect(report.superseded).toEqual(
      new Map([
        ["ep-a", 1],
        ["ep-b", 1],
      ]),
    );
    expect(await detail(store, idOf(older))).toMatchObject({
      status: "cancelled",
      lastErrorCode: SUPERSEDED,
    });
    expect((await detail(store, idOf(newest))).status).toBe("pending");

    const sent = at(10, { claim: true, subject: "s2" });
    const next = at(11, { claim: true, subject: "s2", supersede: true });
    const second = await store.insertEvents([sent, next]);
    expect(second.superseded).toBeUndefined();
    expect(second.unclaimed?.size ?? 0).toBe(0);
    expect((await detail(store, idOf(sent))).status).toBe("sending");
  });

  it("supersede: a delivery without a subject, or one stored cancelled, supersedes nothing", async () => {
    const store = ctx.store();
    const at = subjectEvents();
    const loose = at(0, { subject: null });
    await store.insertEvents([loose, at(1)]);
    const report = await store.insertEvents([at(2, { subject: null, supersede: true })]);
    expect(report.superseded).toBeUndefined();
    expect((await detail(store, idOf(loose))).status).toBe("pending");
  });

  it("supersede with ordering: a stale pending head is cancelled, so the new state keeps its claim and goes at once", async () => {
    const store = ctx.store();
    const at = subjectEvents();
    const head = at(0, { ordered: true });
    await store.insertEvents([head]);
    const [c] = await claimAll(store);
    // The head failed once and waits for its retry: a stale state that would hold the new one back.
    await store.complete([makeResult(c!, makeOutcome("retryable"), { status: "pending", delayMs: HOUR })]);
    const fresh = at(5, { ordered: true, claim: true, supersede: true });
    const report = await store.insertEvents([fresh]);
    expect(report.superseded).toEqual(new Map([["ep-a", 1]]));
    expect(report.unclaimed?.size ?? 0).toBe(0);
    expect((await detail(store, idOf(head))).status).toBe("cancelled");
    expect((await detail(store, idOf(fresh))).status).toBe("sending");
  });

  it("supersede at a held endpoint: of two claimed states of one subject in one batch, both put back pending, the older is cancelled and the newer waits", async () => {
    const store = ctx.store();
    const at = subjectEvents();
    // A 429 pauses ep-a for an hour: claimed inserts to it go in pending.
    const asked = at(0, { claim: true, subject: "s0" });
    await store.insertEvents([asked]);
    await store.complete([tooMany(claimOf(asked), HOUR)], { controls: [{ endpointId: "ep-a" }] });
    const stale = at(1, { claim: true, supersede: true });
    const fresh = at(2, { claim: true, supersede: true });
    const report = await store.insertEvents([stale, fresh]);
    expect(idsOf([...(report.unclaimed ?? [])].map((id) => ({ id })))).toEqual(
      idsOf([stale, fresh].map((e) => ({ id: idOf(e) }))),
    );
    expect(report.superseded).toEqual(new Map([["ep-a", 1]]));
    expect(await detail(store, idOf(stale))).toMatchObject({
      status: "cancelled",
      lastErrorCode: SUPERSEDED,
      attempts: 0,
    });
    expect(await detail(store, idOf(fresh))).toMatchObject({ status: "pending", attempts: 0 });
  });

  it("supersede with ordering: a batch delivery demoted behind an in-flight head is cancelled by a newer one of the batch, never sent", async () => {
    const store = ctx.store();
    const at = subjectEvents();
    const head = at(0, { ordered: true, claim: true, code: "add_credits" });
    await store.insertEvents([head]);
    const stale = at(1, { ordered: true, claim: true });
    const fresh = at(2, { ordered: true, claim: true, supersede: true });
    const report = await store.insertEvents([stale, fresh]);
    expect(idsOf([...(report.unclaimed ?? [])].map((id) => ({ id })))).toEqual(
      idsOf([stale, fresh].map((e) => ({ id: idOf(e) }))),
    );
    expect(report.superseded).toEqual(new Map([["ep-a", 1]]));
    expect(await detail(store, idOf(stale))).toMatchObject({
      status: "cancelled",
      lastErrorCode: SUPERSEDED,
      attempts: 0,
    });
    expect(await detail(store, idOf(fresh))).toMatchObject({ status: "pending", waitingFor: idOf(head) });

    await store.complete([makeResult(claimOf(head), makeOutcome("success"), { status: "succeeded" })]);
    expect(idsOf(await claimAll(store))).toEqual([idOf(fresh)]);
  });
}
