import type {
  BreakerSettings,
  DeliveryStore,
  EndpointControl,
  EndpointState,
  NewEvent,
  NextState,
} from "@hookline/core";
import { makeEvent, makeOutcome, makeResult, until } from "@hookline/core/testing";

/**
 * Delivery-control states written through the store's own methods (insert, claim and complete
 * with controls), as workers write them: no row is forged.
 */

const LEASE_MS = 3_600_000;

async function stateOf(store: DeliveryStore, endpointId: string): Promise<EndpointState> {
  const state = (await store.getEndpointStates()).find((s) => s.endpointId === endpointId);
  if (!state) throw new Error(`control-seed: the store holds no state for ${endpointId}`);
  return state;
}

/** Claim `endpointId`'s due deliveries with `control` and complete each with `outcome`/`next`. */
async function attemptAll(
  store: DeliveryStore,
  control: EndpointControl,
  outcome: Parameters<typeof makeOutcome>[1] & { kind?: "retryable" | "permanent" },
  next: NextState,
): Promise<number> {
  const controls = [control];
  const claimed = await store.claimDue({
    limit: 100,
    leaseMs: LEASE_MS,
    workerId: "seed",
    endpointIds: [control.endpointId],
    controls,
  });
  const { kind = "retryable", ...extra } = outcome;
  await store.complete(
    claimed.map((c) => makeResult(c, makeOutcome(kind, extra), next)),
    { controls },
  );
  return claimed.length;
}

function breakerOf(control: EndpointControl): BreakerSettings {
  if (!control.breaker) throw new Error(`control-seed: ${control.endpointId} has no breaker`);
  return control.breaker;
}

/** Open the endpoint's circuit: `failureThreshold` attempts that fail for good. */
export async function openCircuit(store: DeliveryStore, control: EndpointControl): Promise<EndpointState> {
  const { endpointId } = control;
  const { failureThreshold } = breakerOf(control);
  await store.insertEvents(
    Array.from({ length: failureThreshold }, () =>
      makeEvent({ code: "add_credits", endpoints: [endpointId], subject: null }),
    ),
  );
  const sent = await attemptAll(store, control, {}, { status: "failed" });
  if (sent !== failureThreshold) throw new Error(`control-seed: claimed ${sent} for ${endpointId}`);
  return stateOf(store, endpointId);
}

/**
 * Open the circuit, wait out its (short) cool-down, then claim the probe and keep it out (its
 * lease lasts an hour): the circuit stays half-open.
 */
export async function halfOpenCircuit(
  store: DeliveryStore,
  control: EndpointControl,
): Promise<EndpointState> {
  const { endpointId } = control;
  const open = await openCircuit(store, control);
  const end = open.openUntil?.getTime() ?? 0;
  await until(async () => Date.now() > end, { timeoutMs: 5000, everyMs: 5, what: "the cool-down to end" });
  await store.insertEvents([makeEvent({ code: "add_credits", endpoints: [endpointId], subject: null })]);
  const probes = await store.claimDue({
    limit: 10,
    leaseMs: LEASE_MS,
    workerId: "seed",
    endpointIds: [endpointId],
    controls: [control],
  });
  if (probes.length !== 1) throw new Error(`control-seed: ${probes.length} probes for ${endpointId}`);
  return stateOf(store, endpointId);
}

/** One attempt answered 429 with Retry-After `retryAfterMs`: claims skip the endpoint until then. */
export async function pauseEndpoint(
  store: DeliveryStore,
  control: EndpointControl,
  retryAfterMs: number,
): Promise<EndpointState> {
  await store.insertEvents([
    makeEvent({ code: "add_credits", endpoints: [control.endpointId], subject: null }),
  ]);
  await attemptAll(
    store,
    control,
    {
      status: 429,
      headers: { "retry-after": String(retryAfterMs / 1000) },
      retryAfterMs,
      error: { code: "HOOKLINE_HTTP_STATUS", message: "receiver answered 429" },
    },
    { status: "pending", delayMs: retryAfterMs },
  );
  return stateOf(store, control.endpointId);
}

function withDeliveryFlags(ev: NewEvent, flags: { ordered?: boolean; supersede?: boolean }): NewEvent {
  return { ...ev, deliveries: ev.deliveries.map((d) => ({ ...d, ...flags })) };
}

/**
 * Two deliveries of one subject to an endpoint that orders by subject, emitted one after the
 * other: the second waits for the first (nothing claims them).
 */
export async function orderedPair(
  store: DeliveryStore,
  endpointId: string,
  subject: string,
): Promise<{ readonly first: string; readonly second: string }> {
  const ids: string[] = [];
  for (const code of ["add_credits", "user_credits_zero"]) {
    const ev = withDeliveryFlags(makeEvent({ code, endpoints: [endpointId], subject }), { ordered: true });
    await store.insertEvents([ev]);
    ids.push(ev.deliveries[0]!.id);
  }
  return { first: ids[0]!, second: ids[1]! };
}

/** Two states of one subject for an event defined with supersede: the older is cancelled. */
export async function supersededPair(
  store: DeliveryStore,
  endpointId: string,
  subject: string,
): Promise<{ readonly older: string; readonly newer: string; readonly superseded: number }> {
  const ids: string[] = [];
  let superseded = 0;
  for (let i = 0; i < 2; i++) {
    const ev = withDeliveryFlags(makeEvent({ code: "post_code_change", endpoints: [endpointId], subject }), {
      supersede: true,
    });
    superseded += (await store.insertEvents([ev])).superseded?.get(endpointId) ?? 0;
    ids.push(ev.deliveries[0]!.id);
  }
  return { older: ids[0]!, newer: ids[1]!, superseded };
}
