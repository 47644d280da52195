import type { ClaimRef, InsertReport, NewEvent, SubjectKey } from "@hookline/core";
import type { Knex } from "knex";
import type { StoreContext } from "../context.js";
import { putBackUnclaimed } from "./insert-controls.js";
import { lineKey, placedBefore, subjectLines } from "./subject-lines.js";
import { supersede, supersededBy, supersedeGroups } from "./supersede.js";

/** A delivery inserted claimed to an ordered endpoint: the ones demotion looks at. */
interface ClaimedOrdered {
  readonly id: string;
  readonly endpointId: string;
  readonly subject: string;
  readonly code: string;
  readonly createdAt: number;
  /** It supersedes older ones of its code: it may be superseded too, so it is never queued. */
  readonly supersede: boolean;
  /** Its claimer (NewDelivery.claim.workerId). */
  readonly workerId: string;
}

function claimedOrdered(events: readonly NewEvent[]): ClaimedOrdered[] {
  return events.flatMap((e) =>
    e.subject == null
      ? []
      : e.deliveries
          .filter((d) => d.ordered && d.claim && !d.cancelled)
          .map((d) => ({
            id: d.id,
            endpointId: d.endpointId,
            subject: e.subject as string,
            code: e.code,
            createdAt: e.createdAt.getTime(),
            supersede: d.supersede === true,
            workerId: d.claim!.workerId,
          })),
  );
}

/**
 * Put back every claimed ordered delivery that has an earlier unfinished one of its endpoint and
 * subject (stored before, or earlier in this batch, which is inserted already): pending and due
 * now, no attempt counted, no claim. The emitter must not send those; a worker claims each in
 * turn. Except where everything ahead is sending under the delivery's own claimer: that one stays
 * claimed, queued behind those claims (InsertReport.queued). The candidates are judged in
 * emit order, so one put back holds back the later ones of its subject.
 */
async function demote(
  ctx: StoreContext,
  trx: Knex.Transaction,
  candidates: readonly ClaimedOrdered[],
  mayQueue: (c: ClaimedOrdered) => boolean,
): Promise<{ demoted: Set<string>; queued: Map<string, ClaimRef[]> }> {
  const demoted = new Set<string>();
  const queued = new Map<string, ClaimRef[]>();
  const keys = new Map<string, SubjectKey>();
  for (const c of candidates) keys.set(lineKey(c.endpointId, c.subject), c);
  const lines = await subjectLines(ctx, trx, [...keys.values()]);
  const inOrder = [...candidates].sort((a, b) => (placedBefore(a, b) ? -1 : placedBefore(b, a) ? 1 : 0));
  for (const c of inOrder) {
    const line = lines.get(lineKey(c.endpointId, c.subject))!;
    const sendingAhead = line.sending.filter((r) => placedBefore(r, c));
    const pendingAhead = line.firstPending !== null && placedBefore(line.firstPending, c);
    if (!pendingAhead && sendingAhead.length === 0) continue;
    if (!pendingAhead && sendingAhead.every((r) => r.workerId === c.workerId) && mayQueue(c)) {
      queued.set(
        c.id,
        sendingAhead.map((r) => ({ deliveryId: r.id, claimToken: r.claimToken ?? "" })),
      );
      continue;
    }
    demoted.add(c.id);
    // Now pending: it holds back what comes after it in this batch.
    const place = { id: c.id, createdAt: c.createdAt };
    const own = line.sending.findIndex((r) => r.id === c.id);
    if (own >= 0) line.sending.splice(own, 1);
    if (line.firstPending === null || placedBefore(place, line.firstPending)) line.firstPending = place;
  }
  await putBackUnclaimed(ctx, trx, [...demoted]);
  return { demoted, queued };
}

/**
 * What ordering and supersede do to a batch just inserted, in its transaction: supersede first,
 * so a stale pending state no longer holds the new one back; then demotion of claimed ordered
 * deliveries that wait behind an earlier one; then supersede again for what was just demoted
 * (now pending, so a newer state of the batch replaces it and it is never sent). `held`: claimed
 * deliveries already put back pending (their endpoint is held), reported as unclaimed too.
 */
export async function admitInserted(
  ctx: StoreContext,
  trx: Knex.Transaction,
  events: readonly NewEvent[],
  held: ReadonlySet<string>,
): Promise<Pick<InsertReport, "unclaimed" | "queued" | "superseded">> {
  const groups = supersedeGroups(events);
  const superseded = new Map<string, number>();
  if (groups.length > 0) await supersede(ctx, trx, groups, superseded);
  const candidates = claimedOrdered(events).filter((c) => !held.has(c.id));
  const { demoted, queued } =
    candidates.length > 0
      ? // A queued delivery is sending, which no supersede cancels: what may be superseded waits pending.
        await demote(ctx, trx, candidates, (c) => !c.supersede && !supersededBy(groups, c))
      : { demoted: new Set<string>(), queued: new Map<string, ClaimRef[]>() };
  if (demoted.size > 0 && groups.length > 0) {
    const again = groups.filter((g) => candidates.some((c) => demoted.has(c.id) && supersededBy([g], c)));
    if (again.length > 0) await supersede(ctx, trx, again, superseded);
  }
  const unclaimed = new Set([...held, ...demoted]);
  return {
    ...(unclaimed.size > 0 ? { unclaimed } : {}),
    ...(queued.size > 0 ? { queued } : {}),
    ...(superseded.size > 0 ? { superseded } : {}),
  };
}
