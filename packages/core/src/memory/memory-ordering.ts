import type { ClaimRef, InsertReport, NewEvent } from "../contracts/store.js";
import type { MemDelivery, MemTables } from "./memory-rows.js";

/** The last error code of a delivery cancelled because a newer state of its subject replaced it. */
const SUPERSEDED_CODE = "HOOKLINE_SUPERSEDED";

type Keyed = { readonly createdAt: Date; readonly id: string };
/** Emit order: created time, then id (ids are time-ordered), as the SQL stores sort. */
const before = (a: Keyed, b: Keyed) =>
  a.createdAt.getTime() < b.createdAt.getTime() ||
  (a.createdAt.getTime() === b.createdAt.getTime() && a.id < b.id);
export const subjectKey = (endpointId: string, subject: string) => JSON.stringify([endpointId, subject]);
const unfinished = (d: MemDelivery) => d.status === "pending" || d.status === "sending";

/** The earliest unfinished delivery of each endpoint and subject: the head of its line. */
export function subjectHeads(t: MemTables): Map<string, MemDelivery> {
  const heads = new Map<string, MemDelivery>();
  for (const d of t.deliveries.values()) {
    if (d.subject === null || !unfinished(d)) continue;
    const key = subjectKey(d.endpointId, d.subject);
    const head = heads.get(key);
    if (!head || before(d, head)) heads.set(key, d);
  }
  return heads;
}

/** The earliest unfinished delivery of an ordered `d`'s endpoint and subject, when it sorts before `d`. */
function headAhead(heads: ReadonlyMap<string, MemDelivery>, d: MemDelivery): MemDelivery | undefined {
  if (!d.ordered || d.subject === null) return undefined;
  const head = heads.get(subjectKey(d.endpointId, d.subject));
  return head && head !== d && before(head, d) ? head : undefined;
}

/**
 * What holds a pending ordered delivery back: the earliest unfinished delivery of its endpoint
 * and subject, when that is not itself. Undefined for any other delivery.
 */
export function heldBy(heads: ReadonlyMap<string, MemDelivery>, d: MemDelivery): MemDelivery | undefined {
  return d.status === "pending" ? headAhead(heads, d) : undefined;
}

interface Group extends Keyed {
  readonly endpointId: string;
  readonly subject: string;
  readonly code: string;
}
const groupKey = (endpointId: string, subject: string, code: string) =>
  JSON.stringify([endpointId, subject, code]);

/** Per endpoint, subject and event code: the newest inserted delivery that supersedes. */
function supersedeGroups(events: readonly NewEvent[]): Map<string, Group> {
  const groups = new Map<string, Group>();
  for (const e of events) {
    if (e.subject == null) continue;
    for (const d of e.deliveries) {
      if (!d.supersede || d.cancelled) continue;
      const g = {
        endpointId: d.endpointId,
        subject: e.subject,
        code: e.code,
        createdAt: e.createdAt,
        id: d.id,
      };
      const key = groupKey(g.endpointId, g.subject, g.code);
      const known = groups.get(key);
      if (!known || before(known, g)) groups.set(key, g);
    }
  }
  return groups;
}

/** Cancel the pending deliveries each group supersedes; counts them per endpoint into `counts`. */
function supersede(
  t: MemTables,
  groups: ReadonlyMap<string, Group>,
  now: Date,
  counts: Map<string, number>,
): void {
  for (const d of t.deliveries.values()) {
    if (d.status !== "pending" || d.subject === null) continue;
    const g = groups.get(groupKey(d.endpointId, d.subject, d.eventCode));
    if (!g || !before(d, g)) continue;
    Object.assign(d, {
      status: "cancelled",
      lastErrorCode: SUPERSEDED_CODE,
      nextAttemptAt: null,
      updatedAt: now,
    });
    counts.set(d.endpointId, (counts.get(d.endpointId) ?? 0) + 1);
  }
}

/**
 * What an expired lease of an ordered delivery waits for: an earlier unfinished delivery of its
 * endpoint and subject (one queued behind another of a claimer that died goes after it).
 */
export function behindUnfinished(heads: ReadonlyMap<string, MemDelivery>, d: MemDelivery): boolean {
  return headAhead(heads, d) !== undefined;
}

/**
 * Put back the claimed ordered deliveries of `events` that wait behind an earlier one, except
 * those whose earlier unfinished ones are all sending under their own claimer: left claimed,
 * queued behind all of those (InsertReport.queued).
 */
function demote(
  t: MemTables,
  events: readonly NewEvent[],
  now: Date,
  groups: ReadonlyMap<string, Group>,
): { demoted: Set<string>; queued: Map<string, ClaimRef[]> } {
  const lines = unfinishedLines(t, claimedOrderedKeys(events));
  const demoted = new Set<string>();
  const queued = new Map<string, ClaimRef[]>();
  // In emit order, as the SQL stores judge them: one put back holds back the later ones.
  const inOrder = events
    .flatMap((e) => e.deliveries.map((nd) => ({ nd, place: { createdAt: e.createdAt, id: nd.id } })))
    .sort((a, b) => (before(a.place, b.place) ? -1 : before(b.place, a.place) ? 1 : 0));
  for (const { nd } of inOrder) {
    const d = t.deliveries.get(nd.id);
    if (!nd.ordered || !nd.claim || d?.status !== "sending" || d.subject === null) continue;
    // The lines were read before this loop: one put back here is pending, still unfinished.
    const ahead = (lines.get(subjectKey(d.endpointId, d.subject)) ?? []).filter((x) => before(x, d));
    if (ahead.length === 0) continue;
    const own = ahead.every((a) => a.status === "sending" && a.claimedBy === nd.claim!.workerId);
    // A queued delivery is sending, which no supersede cancels: what may be superseded waits pending.
    const g = groups.get(groupKey(d.endpointId, d.subject, d.eventCode));
    const mayBeSuperseded = nd.supersede === true || (g !== undefined && before(d, g));
    if (own && !mayBeSuperseded) {
      queued.set(
        d.id,
        ahead.map((a) => ({ deliveryId: a.id, claimToken: a.claimToken ?? "" })),
      );
      continue;
    }
    Object.assign(d, {
      status: "pending",
      attempts: 0,
      nextAttemptAt: now,
      leaseUntil: null,
      claimToken: null,
      claimedBy: null,
      updatedAt: now,
    });
    demoted.add(d.id);
  }
  return { demoted, queued };
}

/** Subject keys of `events`' claimed ordered deliveries: the lines demote reads. */
function claimedOrderedKeys(events: readonly NewEvent[]): Set<string> {
  const keys = new Set<string>();
  for (const e of events) {
    if (e.subject == null) continue;
    for (const nd of e.deliveries) if (nd.ordered && nd.claim) keys.add(subjectKey(nd.endpointId, e.subject));
  }
  return keys;
}

/**
 * The unfinished deliveries of each of `keys`, in one pass over the table: a scan per claimed
 * delivery made an insert of n ordered deliveries cost n scans of every delivery ever stored.
 */
function unfinishedLines(t: MemTables, keys: ReadonlySet<string>): Map<string, MemDelivery[]> {
  const lines = new Map<string, MemDelivery[]>();
  if (keys.size === 0) return lines;
  for (const x of t.deliveries.values()) {
    if (x.subject === null || !unfinished(x)) continue;
    const key = subjectKey(x.endpointId, x.subject);
    if (!keys.has(key)) continue;
    const line = lines.get(key);
    if (line) line.push(x);
    else lines.set(key, [x]);
  }
  return lines;
}

/**
 * Ordering and supersede for events just inserted, as the SQL stores do them in the insert's
 * transaction: supersede, demote claimed ordered deliveries behind an earlier unfinished one,
 * then supersede what was demoted.
 */
export function admitInserted(
  t: MemTables,
  events: readonly NewEvent[],
  now: Date,
): {
  readonly unclaimed: Set<string>;
  readonly queued: Map<string, ClaimRef[]>;
  readonly superseded: Map<string, number>;
} {
  const groups = supersedeGroups(events);
  const superseded = new Map<string, number>();
  if (groups.size > 0) supersede(t, groups, now, superseded);
  const { demoted: unclaimed, queued } = demote(t, events, now, groups);
  if (unclaimed.size > 0 && groups.size > 0) supersede(t, groups, now, superseded);
  return { unclaimed, queued, superseded };
}

/** The admission's part of an InsertReport: only what happened. */
export function admissionReport(
  a: ReturnType<typeof admitInserted>,
): Pick<InsertReport, "queued" | "superseded"> {
  return {
    ...(a.queued.size > 0 ? { queued: a.queued } : {}),
    ...(a.superseded.size > 0 ? { superseded: a.superseded } : {}),
  };
}
