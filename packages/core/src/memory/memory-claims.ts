import type { EndpointControl } from "../contracts/delivery-control.js";
import type { AttemptResult, ClaimedDelivery, CompletionReport, SubjectKey } from "../contracts/store.js";
import { redactCredentialHeaders, redactUrl } from "../dispatch/redact.js";
import type { Clock } from "../util/clock.js";
import { newId } from "../util/ids.js";
import type { MemoryControls } from "./memory-controls.js";
import { behindUnfinished, heldBy, subjectHeads, subjectKey } from "./memory-ordering.js";
import type { MemDelivery, MemTables } from "./memory-rows.js";

/** DeliveryStore.claimDue over the memory tables. */
export function claimDueRows(
  t: MemTables,
  controls: MemoryControls,
  opts: {
    limit: number;
    leaseMs: number;
    workerId: string;
    endpointIds: readonly string[];
    controls?: readonly EndpointControl[];
    subjects?: readonly SubjectKey[];
  },
  clock: Clock,
): ClaimedDelivery[] {
  const now = clock.now();
  const known = new Set(opts.endpointIds);
  const heads = subjectHeads(t);
  const wanted = opts.subjects && new Set(opts.subjects.map((k) => subjectKey(k.endpointId, k.subject)));
  // With `subjects`: only their ordered deliveries, and no expired lease (see claimDue).
  const named = (d: MemDelivery) =>
    wanted === undefined ||
    (d.ordered && d.subject !== null && wanted.has(subjectKey(d.endpointId, d.subject)));
  const due = [...t.deliveries.values()]
    .filter(
      (d) =>
        known.has(d.endpointId) &&
        named(d) &&
        ((d.status === "pending" &&
          d.nextAttemptAt !== null &&
          d.nextAttemptAt <= now &&
          !heldBy(heads, d)) ||
          (wanted === undefined &&
            d.status === "sending" &&
            d.leaseUntil !== null &&
            d.leaseUntil < now &&
            !behindUnfinished(heads, d))),
    )
    .sort(
      (a, b) =>
        (a.nextAttemptAt?.getTime() ?? 0) - (b.nextAttemptAt?.getTime() ?? 0) || (a.id < b.id ? -1 : 1),
    );
  const chosen = opts.controls
    ? controls.choose(due, opts, opts.controls, (ep) => liveCount(t, ep, now), now)
    : due.slice(0, opts.limit);
  return chosen.map((d) => {
    d.status = "sending";
    d.claimToken = newId("clm");
    d.claimedBy = opts.workerId;
    d.leaseUntil = new Date(now.getTime() + opts.leaseMs);
    d.attempts += 1;
    d.updatedAt = now;
    const ev = t.events.get(d.eventId)!;
    return {
      id: d.id,
      eventId: d.eventId,
      eventCode: d.eventCode,
      endpointId: d.endpointId,
      subject: d.subject,
      body: ev.body,
      attempts: d.attempts,
      replays: d.replays,
      claimToken: d.claimToken,
      eventCreatedAt: ev.createdAt,
      traceContext: ev.traceContext ?? null,
    };
  });
}

function liveCount(t: MemTables, endpointId: string, now: Date): number {
  let n = 0;
  for (const d of t.deliveries.values()) {
    const live = d.status === "sending" && d.leaseUntil !== null && d.leaseUntil >= now;
    if (live && d.endpointId === endpointId) n++;
  }
  return n;
}

/** DeliveryStore.complete over the memory tables. */
export function completeClaims(
  t: MemTables,
  controls: MemoryControls,
  results: readonly AttemptResult[],
  opts: { readonly controls?: readonly EndpointControl[] } | undefined,
  clock: Clock,
): CompletionReport {
  const applied: string[] = [];
  const done: AttemptResult[] = [];
  const stale: string[] = [];
  const now = clock.now();
  for (const r of results) {
    const d = t.deliveries.get(r.deliveryId);
    if (d?.status !== "sending" || d.claimToken !== r.claimToken) {
      stale.push(r.deliveryId);
      continue;
    }
    const o = r.outcome;
    t.attempts.push({
      id: r.attemptId,
      deliveryId: r.deliveryId,
      endpointId: r.endpointId,
      attempt: r.attempt,
      startedAt: r.startedAt,
      durationMs: o.durationMs,
      // Callers redact already; the store's own pass can only hide more.
      url: r.request ? redactUrl(r.request.url) : null,
      requestHeaders: r.request ? redactCredentialHeaders(r.request.headers) : null,
      responseStatus: o.status ?? null,
      responseHeaders: o.headers ?? null,
      responseBody: o.body ?? null,
      responseTruncated: o.bodyTruncated ?? false,
      outcome: o.kind,
      errorCode: o.error?.code ?? null,
      errorMessage: o.error?.message ?? null,
    });
    d.status = r.next.status;
    d.nextAttemptAt = r.next.status === "pending" ? new Date(now.getTime() + r.next.delayMs) : null;
    d.claimToken = null;
    d.leaseUntil = null;
    d.lastStatus = o.status ?? null;
    d.lastErrorCode = o.error?.code ?? null;
    d.lastDurationMs = o.durationMs;
    d.updatedAt = now;
    applied.push(r.deliveryId);
    done.push(r);
  }
  if (!opts?.controls) return { applied, stale };
  return { applied, stale, circuits: controls.complete(done, opts.controls, now) };
}

/** DeliveryStore.release over the memory tables: unstarted claims go back to pending, uncounted. */
export function releaseClaims(
  t: MemTables,
  claims: readonly { deliveryId: string; claimToken: string }[],
  clock: Clock,
): number {
  let n = 0;
  for (const c of claims) {
    const d = t.deliveries.get(c.deliveryId);
    if (d?.status !== "sending" || d.claimToken !== c.claimToken) continue;
    Object.assign(d, { status: "pending", claimToken: null, leaseUntil: null, nextAttemptAt: clock.now() });
    d.attempts -= 1;
    n++;
  }
  return n;
}
