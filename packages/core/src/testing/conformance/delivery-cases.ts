import { expect, it } from "vitest";
import type { ClaimedDelivery } from "../../contracts/store.js";
import { makeEvent, makeOutcome, makeResult, wait } from "../fixtures.js";
import { until } from "../until.js";
import { type ConformanceContext, claimOf, HOUR } from "./helpers.js";

/** Claiming, fencing and completing deliveries, retries and releases. */
export function deliveryCases(ctx: ConformanceContext): void {
  const { leaseMs } = ctx;
  it("claims due pending deliveries once: status sending, attempts counted at claim, limit honoured", async () => {
    const store = ctx.store();
    const events = [1, 2, 3].map(() => makeEvent());
    await store.insertEvents(events);
    const first = await store.claimDue({ limit: 2, leaseMs: 60_000, workerId: "w1", endpointIds: ["ep-a"] });
    expect(first).toHaveLength(2);
    const second = await store.claimDue({
      limit: 10,
      leaseMs: 60_000,
      workerId: "w2",
      endpointIds: ["ep-a"],
    });
    expect(second).toHaveLength(1);
    expect(
      await store.claimDue({ limit: 10, leaseMs: 60_000, workerId: "w3", endpointIds: ["ep-a"] }),
    ).toEqual([]);
    const all = [...first, ...second];
    expect(new Set(all.map((c) => c.id)).size).toBe(3);
    expect(new Set(all.map((c) => c.claimToken)).size).toBe(3);
    for (const c of all) {
      const ev = events.find((e) => e.id === c.eventId)!;
      expect(c).toMatchObject({ attempts: 1, eventCode: ev.code, body: ev.body, subject: "buyer-1" });
      expect((await store.getDelivery(c.id))?.status).toBe("sending");
    }
  });

  it("fences completion by claim token: a wrong or spent token changes nothing", async () => {
    const store = ctx.store();
    const ev = makeEvent({ claim: { leaseMs: 60_000 } });
    await store.insertEvents([ev]);
    const c = claimOf(ev);
    const wrong = await store.complete([
      makeResult({ ...c, claimToken: "clm_not_mine" }, makeOutcome("success"), { status: "succeeded" }),
    ]);
    expect(wrong).toEqual({ applied: [], stale: [c.id] });
    expect((await store.getDelivery(c.id))?.status).toBe("sending");
    await store.complete([makeResult(c, makeOutcome("retryable"), { status: "failed" })]);
    const again = await store.complete([makeResult(c, makeOutcome("success"), { status: "succeeded" })]);
    expect(again.stale).toEqual([c.id]);
    const d = await store.getDelivery(c.id);
    expect(d?.status).toBe("failed");
    expect(d?.attemptLog).toHaveLength(1);
  });

  it("reports nextAttemptAt only while pending: null while sending and once terminal", async () => {
    const store = ctx.store();
    const claimed = makeEvent({ claim: { leaseMs: 60_000 } });
    const due = makeEvent();
    await store.insertEvents([claimed, due]);
    const nextOf = async (id: string) => (await store.getDelivery(id))?.nextAttemptAt ?? null;
    expect(await nextOf(claimed.deliveries[0]!.id)).toBeNull();
    expect(await nextOf(due.deliveries[0]!.id)).toBeInstanceOf(Date);
    const [c] = await store.claimDue({ limit: 5, leaseMs: 60_000, workerId: "w", endpointIds: ["ep-a"] });
    expect(c?.id).toBe(due.deliveries[0]!.id);
    expect(await nextOf(c!.id)).toBeNull();
    await store.complete([makeResult(c!, makeOutcome("success"), { status: "succeeded" })]);
    expect(await nextOf(c!.id)).toBeNull();
  });

  it("applies only the valid completions of a mixed batch (wrong, spent and swapped tokens)", async () => {
    const store = ctx.store();
    const evs = Array.from({ length: 5 }, () => makeEvent({ claim: { leaseMs: 60_000 } }));
    await store.insertEvents(evs);
    const [valid, wrong, spent, swapA, swapB] = evs.map((ev) => claimOf(ev)) as [
      ReturnType<typeof claimOf>,
      ...ReturnType<typeof claimOf>[],
    ];
    await store.complete([makeResult(spent!, makeOutcome("retryable"), { status: "failed" })]);
    const ok = makeOutcome("success");
    const report = await store.complete([
      makeResult(valid, ok, { status: "succeeded" }),
      makeResult({ ...wrong!, claimToken: "clm_not_mine" }, ok, { status: "succeeded" }),
      makeResult(spent!, ok, { status: "succeeded" }),
      // Each carries the other's (valid) token: neither matches its own row.
      makeResult({ ...swapA!, claimToken: swapB!.claimToken }, ok, { status: "succeeded" }),
      makeResult({ ...swapB!, claimToken: swapA!.claimToken }, ok, { status: "succeeded" }),
    ]);
    expect(report.applied).toEqual([valid.id]);
    expect([...report.stale].sort()).toEqual([wrong!.id, spent!.id, swapA!.id, swapB!.id].sort());
    const status = async (id: string) => (await store.getDelivery(id))?.status;
    expect(await status(valid.id)).toBe("succeeded");
    expect(await status(wrong!.id)).toBe("sending");
    expect(await status(spent!.id)).toBe("failed");
    expect(await status(swapA!.id)).toBe("sending");
    expect(await status(swapB!.id)).toBe("sending");
    expect((await store.getDelivery(spent!.id))?.attemptLog).toHaveLength(1);
    expect((await store.getDelivery(swapA!.id))?.attemptLog).toHaveLength(0);
    expect((await store.getDelivery(valid.id))?.attemptLog).toHaveLength(1);
  });

  it("re-claims after the lease expires; the zombie's late completion is stale", async () => {
    const store = ctx.store();
    // A lease long enough that a slow insert on a busy machine cannot outlive it before the
    // "not yet claimable" check; the re-claim is then polled for rather than slept for.
    const ev = makeEvent({ claim: { leaseMs: Math.max(leaseMs, 1_000) } });
    await store.insertEvents([ev]);
    const claimAgain = () =>
      store.claimDue({ limit: 5, leaseMs: 60_000, workerId: "w2", endpointIds: ["ep-a"] });
    expect(await claimAgain()).toEqual([]);
    let re: ClaimedDelivery | undefined;
    await until(
      async () => {
        [re] = await claimAgain();
        return re !== undefined;
      },
      {
        timeoutMs: 15_000,
        everyMs: 50,
        what: "the expired lease to be claimable again",
      },
    );
    expect(re?.id).toBe(ev.deliveries[0]!.id);
    expect(re?.attempts).toBe(2);
    const fresh = await store.complete([makeResult(re!, makeOutcome("success"), { status: "succeeded" })]);
    expect(fresh.applied).toEqual([re!.id]);
    const zombie = await store.complete([
      makeResult(claimOf(ev), makeOutcome("retryable"), { status: "failed" }),
    ]);
    expect(zombie).toEqual({ applied: [], stale: [re!.id] });
    const d = await store.getDelivery(re!.id);
    expect(d?.status).toBe("succeeded");
    expect(d?.attemptLog.map((a) => a.attempt)).toEqual([2]);
  });

  it("records every attempt field and the delivery's last result", async () => {
    const store = ctx.store();
    const ev = makeEvent({ claim: { leaseMs: 60_000 } });
    await store.insertEvents([ev]);
    const c = claimOf(ev);
    const outcome = makeOutcome("retryable", {
      status: 503,
      headers: { "retry-after": "7", "x-r": "é" },
      body: "x".repeat(64),
      bodyTruncated: true,
      durationMs: 321,
      retryAfterMs: 7000,
      error: { code: "HOOKLINE_HTTP_STATUS", message: "receiver answered 503" },
    });
    await store.complete([makeResult(c, outcome, { status: "pending", delayMs: HOUR })]);
    const d = await store.getDelivery(c.id);
    expect(d).toMatchObject({
      status: "pending",
      attempts: 1,
      lastStatus: 503,
      lastErrorCode: "HOOKLINE_HTTP_STATUS",
    });
    expect(d?.lastDurationMs).toBe(321);
    expect(d?.nextAttemptAt?.getTime()).toBeGreaterThan(Date.now() + HOUR - 60_000);
    expect(d?.event.id).toBe(ev.id);
    const [a] = d!.attemptLog;
    expect(a).toMatchObject({
      deliveryId: c.id,
      attempt: 1,
      durationMs: 321,
      url: "http://127.0.0.1:9/hook",
      requestHeaders: { "content-type": "application/json", authorization: "[redacted]" },
      responseStatus: 503,
      responseHeaders: { "retry-after": "7", "x-r": "é" },
      responseBody: "x".repeat(64),
      responseTruncated: true,
      outcome: "retryable",
      errorCode: "HOOKLINE_HTTP_STATUS",
      errorMessage: "receiver answered 503",
    });
    expect(await store.claimDue({ limit: 5, leaseMs: 1000, workerId: "w", endpointIds: ["ep-a"] })).toEqual(
      [],
    );
  });

  it("makes a retry claimable only once its delay has passed", async () => {
    const store = ctx.store();
    const ev = makeEvent({ claim: { leaseMs: 60_000 } });
    await store.insertEvents([ev]);
    await store.complete([
      makeResult(claimOf(ev), makeOutcome("retryable"), { status: "pending", delayMs: 300 }),
    ]);
    expect(await store.claimDue({ limit: 5, leaseMs: 1000, workerId: "w", endpointIds: ["ep-a"] })).toEqual(
      [],
    );
    await wait(450);
    const [c] = await store.claimDue({ limit: 5, leaseMs: 1000, workerId: "w", endpointIds: ["ep-a"] });
    expect(c).toMatchObject({ id: ev.deliveries[0]!.id, attempts: 2 });
  });

  it("release() returns unstarted claims to pending and un-counts the attempt", async () => {
    const store = ctx.store();
    await store.insertEvents([makeEvent()]);
    const [c] = await store.claimDue({ limit: 1, leaseMs: 60_000, workerId: "w", endpointIds: ["ep-a"] });
    expect(await store.release([{ deliveryId: c!.id, claimToken: "clm_other" }])).toBe(0);
    expect(await store.release([{ deliveryId: c!.id, claimToken: c!.claimToken }])).toBe(1);
    expect(await store.getDelivery(c!.id)).toMatchObject({ status: "pending", attempts: 0 });
    const [again] = await store.claimDue({ limit: 1, leaseMs: 60_000, workerId: "w", endpointIds: ["ep-a"] });
    expect(again).toMatchObject({ id: c!.id, attempts: 1 });
  });

  it("never hands one delivery to two concurrent claimers", async () => {
    const store = ctx.store();
    await store.insertEvents(Array.from({ length: 60 }, () => makeEvent({ endpoints: ["e1", "e2"] })));
    const seen: string[] = [];
    await Promise.all(
      [1, 2, 3].map(async (w) => {
        for (;;) {
          const batch = await store.claimDue({
            limit: 7,
            leaseMs: 60_000,
            workerId: `w${w}`,
            endpointIds: ["e1", "e2"],
          });
          if (batch.length === 0) return;
          seen.push(...batch.map((c) => c.id));
        }
      }),
    );
    expect(seen).toHaveLength(120);
    expect(new Set(seen).size).toBe(120);
  });
}
