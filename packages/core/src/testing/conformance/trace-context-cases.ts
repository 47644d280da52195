import { expect, it } from "vitest";
import type { ClaimedDelivery, NewEvent, StoredTraceContext } from "../../contracts/store.js";
import { makeEvent, makeOutcome, makeResult } from "../fixtures.js";
import type { ConformanceContext } from "./helpers.js";

const PARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
const OTHER_PARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00";
const STATE = "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE";

const traced = (traceContext: StoredTraceContext | null | undefined, endpoints = ["ep-a"]): NewEvent => {
  const ev = makeEvent({ endpoints });
  return traceContext === undefined ? ev : { ...ev, traceContext };
};

/**
 * The emit's W3C trace context, stored with its event so any process's later attempt can join or
 * link to the emit's trace: every claim of the event's deliveries returns it, and so do the reads.
 */
export function traceContextCases(ctx: ConformanceContext): void {
  const claimAll = () =>
    ctx.store().claimDue({ limit: 100, leaseMs: 60_000, workerId: "w", endpointIds: ["ep-a", "ep-b"] });
  const byEvent = (claims: readonly ClaimedDelivery[]) =>
    new Map(claims.map((c) => [`${c.eventId}/${c.endpointId}`, c.traceContext ?? null]));

  it("returns the stored trace context on claims and reads: with and without tracestate; none stays none", async () => {
    const store = ctx.store();
    const full = traced({ traceparent: PARENT, tracestate: STATE }, ["ep-a", "ep-b"]);
    const parentOnly = traced({ traceparent: OTHER_PARENT });
    const absent = traced(undefined);
    const nulled = traced(null);
    await store.insertEvents([full, parentOnly, absent, nulled]);

    const claimed = byEvent(await claimAll());
    expect(claimed.size).toBe(5);
    expect(claimed.get(`${full.id}/ep-a`)).toEqual({ traceparent: PARENT, tracestate: STATE });
    expect(claimed.get(`${full.id}/ep-b`)).toEqual({ traceparent: PARENT, tracestate: STATE });
    expect(claimed.get(`${parentOnly.id}/ep-a`)).toEqual({ traceparent: OTHER_PARENT });
    expect(claimed.get(`${absent.id}/ep-a`)).toBeNull();
    expect(claimed.get(`${nulled.id}/ep-a`)).toBeNull();

    expect((await store.getEvent(full.id))?.traceContext).toEqual({ traceparent: PARENT, tracestate: STATE });
    expect((await store.getEvent(absent.id))?.traceContext ?? null).toBeNull();
    const detail = await store.getDelivery(parentOnly.deliveries[0]!.id);
    expect(detail?.event.traceContext).toEqual({ traceparent: OTHER_PARENT });
    const listed = (await store.listEvents({}, { limit: 10 })).items;
    expect(listed.find((e) => e.id === full.id)?.traceContext).toEqual({
      traceparent: PARENT,
      tracestate: STATE,
    });
    expect(listed.find((e) => e.id === nulled.id)?.traceContext ?? null).toBeNull();
  });

  it("keeps the trace context for every later claim: a retry, and a row inserted already claimed", async () => {
    const store = ctx.store();
    const retried = traced({ traceparent: PARENT, tracestate: STATE });
    const preClaimed: NewEvent = {
      ...makeEvent({ claim: { leaseMs: 60_000 } }),
      traceContext: { traceparent: OTHER_PARENT },
    };
    await store.insertEvents([retried, preClaimed]);
    const [first] = await claimAll();
    expect(first?.id).toBe(retried.deliveries[0]!.id);
    await store.complete([makeResult(first!, makeOutcome("retryable"), { status: "pending", delayMs: 0 })]);
    const [second] = await claimAll();
    expect({ id: second?.id, attempts: second?.attempts, traceContext: second?.traceContext }).toEqual({
      id: retried.deliveries[0]!.id,
      attempts: 2,
      traceContext: { traceparent: PARENT, tracestate: STATE },
    });

    // The emitter gives its claim back (graceful stop): the worker's claim carries the context.
    const d = preClaimed.deliveries[0]!;
    expect(await store.release([{ deliveryId: d.id, claimToken: d.claim!.token }])).toBe(1);
    const [third] = await claimAll();
    expect({ id: third?.id, traceContext: third?.traceContext }).toEqual({
      id: d.id,
      traceContext: { traceparent: OTHER_PARENT },
    });
  });

  it("never fails an insert over a trace context it cannot hold: a tracestate over 512 chars is dropped, a traceparent over 55 drops the context", async () => {
    const store = ctx.store();
    const longState = traced({ traceparent: PARENT, tracestate: `k=${"v".repeat(600)}` });
    const longParent = traced({ traceparent: `${PARENT}-ff`, tracestate: STATE });
    const fullState = traced({ traceparent: PARENT, tracestate: `k=${"v".repeat(510)}` });
    await store.insertEvents([longState, longParent, fullState]);
    const claimed = byEvent(await claimAll());
    expect(claimed.get(`${longState.id}/ep-a`)).toEqual({ traceparent: PARENT });
    expect(claimed.get(`${longParent.id}/ep-a`)).toBeNull();
    expect(claimed.get(`${fullState.id}/ep-a`)).toEqual({
      traceparent: PARENT,
      tracestate: `k=${"v".repeat(510)}`,
    });
  });
}
