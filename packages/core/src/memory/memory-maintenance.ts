import type {
  AttemptRequestRewrite,
  DeliveryFilter,
  RedactAttemptsOptions,
  RedactReport,
} from "../contracts/store.js";
import { TERMINAL_STATUSES } from "../contracts/store.js";
import { redactBatchSize, rewriteStoredRequest } from "../dispatch/redact-stored.js";
import { matches } from "./memory-queries.js";
import type { MemDelivery, MemTables } from "./memory-rows.js";

/** DeliveryStore.requeue over the memory tables. */
export function requeueRows(
  t: MemTables,
  target: { ids: readonly string[] } | { filter: DeliveryFilter },
  now: Date,
): number {
  const rows =
    "ids" in target
      ? target.ids.map((id) => t.deliveries.get(id)).filter((d): d is MemDelivery => !!d)
      : [...t.deliveries.values()].filter((d) => matches(d, target.filter));
  let n = 0;
  for (const d of rows) {
    if (!TERMINAL_STATUSES.includes(d.status)) continue;
    Object.assign(d, { status: "pending", nextAttemptAt: now, updatedAt: now, replays: d.replays + 1 });
    n++;
  }
  return n;
}

/** DeliveryStore.purge over the memory tables. */
export function purgeRows(t: MemTables, olderThan: Date): number {
  let n = 0;
  for (const d of [...t.deliveries.values()]) {
    if (!TERMINAL_STATUSES.includes(d.status) || d.updatedAt >= olderThan) continue;
    t.deliveries.delete(d.id);
    n++;
  }
  const live = new Set([...t.deliveries.values()].map((d) => d.id));
  const liveEvents = new Set([...t.deliveries.values()].map((d) => d.eventId));
  t.attempts = t.attempts.filter((a) => live.has(a.deliveryId));
  for (const [id, e] of t.events) {
    // An event with no deliveries left goes too, but only once it is itself older than the cut-off.
    if (liveEvents.has(id) || e.createdAt >= olderThan) continue;
    t.events.delete(id);
    if (e.idempotencyKey) t.idempotency.delete(e.idempotencyKey);
  }
  return n;
}

/** DeliveryStore.redactAttempts over the memory tables. */
export function redactAttemptRows(
  t: MemTables,
  rewrite: AttemptRequestRewrite,
  opts?: RedactAttemptsOptions,
): RedactReport {
  const batchSize = redactBatchSize(opts?.batchSize);
  let scanned = 0;
  let changed = 0;
  const all = t.attempts;
  for (let i = 0; i < all.length; i += batchSize) {
    for (const a of all.slice(i, i + batchSize)) {
      scanned++;
      const next = rewriteStoredRequest(rewrite, {
        attemptId: a.id,
        endpointId: a.endpointId,
        url: a.url,
        requestHeaders: a.requestHeaders,
      });
      if (!next.changed) continue;
      changed++;
      if (!opts?.dryRun) Object.assign(a, { url: next.url, requestHeaders: next.requestHeaders });
    }
    opts?.onProgress?.({ scanned, changed });
  }
  return { scanned, changed };
}
