import type { NewDelivery } from "../contracts/store.js";
import { type ResolvedEndpoint, subscribes } from "../endpoints/endpoint-config.js";
import type { EventDefinition } from "../events/define-event.js";
import { newId } from "../util/ids.js";
import type { EndpointSwitches } from "./endpoint-switches.js";

/** The endpoints an event goes to, and which of them emit() may send to itself. */
export interface Targets {
  readonly subscribed: readonly ResolvedEndpoint[];
  /** Switched off: their deliveries are stored cancelled. */
  readonly off: ReadonlySet<string>;
  /** Endpoints whose delivery emit() inserts already claimed and sends, given room. */
  readonly sendable: ReadonlySet<string>;
  /** Deliveries that will be sent by someone (subscribed minus switched off). */
  readonly live: number;
}

/**
 * Whether emit() may pre-claim the endpoint's delivery. Not with a rate limit or a concurrency
 * cap: only a claim, under the endpoint's row lock, knows the tokens and slots left across every
 * process. Not while this process knows its circuit is open or it is paused after a 429: the
 * store would hand it back.
 */
export function preClaimable(ep: ResolvedEndpoint, switches: EndpointSwitches, now: number): boolean {
  return ep.rateLimit === undefined && ep.maxConcurrent === undefined && !switches.circuits.holds(ep.id, now);
}

/** The targets of an event with `code`, as of `now` (ms). */
export function targetsOf(
  endpoints: readonly ResolvedEndpoint[],
  code: string,
  switches: EndpointSwitches,
  now: number,
): Targets {
  const subscribed = endpoints.filter((e) => subscribes(e, code));
  const off = new Set<string>();
  const sendable = new Set<string>();
  for (const ep of subscribed) {
    if (switches.disabled.has(ep.id)) off.add(ep.id);
    else if (preClaimable(ep, switches, now)) sendable.add(ep.id);
  }
  return { subscribed, off, sendable, live: subscribed.length - off.size };
}

/**
 * One delivery per subscribed endpoint. `claim`: the sendable ones go in claimed by this emit.
 * Ordering and supersede flags are kept on cancelled rows too: a replay brings them back to
 * pending, where their place in the subject's order still counts.
 */
export function newDeliveries(
  targets: Targets,
  definition: Pick<EventDefinition, "supersede">,
  subject: string | null,
  claim: { readonly leaseMs: number; readonly workerId: string } | undefined,
): NewDelivery[] {
  return targets.subscribed.map((ep) => {
    const ordered = ep.ordering === "subject" && subject !== null;
    const supersede = definition.supersede === true && ep.supersede && subject !== null;
    return {
      id: newId("dlv"),
      endpointId: ep.id,
      ...(ordered ? { ordered } : {}),
      ...(supersede ? { supersede } : {}),
      // A disabled endpoint still gets its row, cancelled, so the event stays replayable there.
      ...(targets.off.has(ep.id)
        ? { cancelled: true }
        : claim && targets.sendable.has(ep.id)
          ? { claim: { token: newId("clm"), leaseMs: claim.leaseMs, workerId: claim.workerId } }
          : {}),
    };
  });
}
