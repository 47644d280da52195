import {
  type AttemptResult,
  breakerVerdict,
  type CircuitTransition,
  type EndpointControl,
  retryAfterPause,
  stepCircuit,
} from "@hookline/core";
import type { Knex } from "knex";
import type { StoreContext } from "../context.js";
import { groupBy } from "../util/group.js";
import {
  type ControlPatch,
  type ControlRow,
  ensureControlRows,
  readControlRows,
  updateControlRow,
} from "./endpoint-control-rows.js";

/** An endpoint's row after a batch of its attempts, with the transitions on the way. */
export function applyAttempts(
  row: ControlRow,
  results: readonly AttemptResult[],
  c: EndpointControl | undefined,
  now: number,
): { patch: ControlPatch; transitions: CircuitTransition[] } {
  const s = { ...row };
  const transitions: CircuitTransition[] = [];
  const b = c?.breaker;
  let pause = 0;
  // Attempt order: a success after a failure resets the count; the reverse does not.
  const ordered = [...results].sort((x, y) => x.startedAt.getTime() - y.startedAt.getTime());
  for (const r of ordered) {
    pause = Math.max(pause, retryAfterPause(r));
    if (!b) continue;
    const moved = stepCircuit(s, r, b, now);
    if (moved) transitions.push(moved);
  }
  const patch: ControlPatch = {};
  const columns = [
    ["circuit", s.circuit, row.circuit],
    ["failures", s.failures, row.failures],
    ["open_until", s.openUntil, row.openUntil],
    ["cooldown_ms", s.cooldownMs, row.cooldownMs],
    ["probe_id", s.probeId, row.probeId],
    ["probe_until", s.probeUntil, row.probeUntil],
  ] as const;
  for (const [column, next, prev] of columns) if (next !== prev) patch[column] = next;
  if (pause > 0 && (row.pausedUntil ?? 0) < now + pause) patch.paused_until = now + pause;
  return { patch, transitions };
}

/** Whether `results` could change `row` (or, absent, a fresh one); the common success batch cannot. */
function mayChange(row: ControlRow | undefined, results: readonly AttemptResult[], breaker: boolean) {
  if (results.some((r) => retryAfterPause(r) > 0)) return true;
  if (!breaker) return false;
  if (results.some((r) => breakerVerdict(r) === "failure")) return true;
  if (!row) return false;
  return row.failures > 0 || (row.probeId !== null && results.some((r) => r.deliveryId === row.probeId));
}

/**
 * Count the batch's applied attempts into each endpoint's breaker and record 429 pauses, in the
 * completion's transaction (see DeliveryStore.complete). One plain read of the endpoint rows
 * tells whether anything changes; a batch of successes on healthy endpoints stops there. The
 * rest is read again under lock (FOR UPDATE in endpoint order), so failures counted by several
 * processes add up, and written back. Returns the circuits this call opened or closed.
 */
export async function recordAttempts(
  ctx: StoreContext,
  trx: Knex.Transaction,
  applied: readonly AttemptResult[],
  controls: ReadonlyMap<string, EndpointControl>,
): Promise<CircuitTransition[]> {
  const byEndpoint = groupBy(
    applied.filter((r) => controls.get(r.endpointId)?.breaker || retryAfterPause(r) > 0),
    (r) => r.endpointId,
  );
  if (byEndpoint.size === 0) return [];
  const endpoints = [...byEndpoint.keys()].sort();
  const seen = await readControlRows(ctx, trx, endpoints, false);
  const todo = endpoints.filter((ep) =>
    mayChange(seen.rows.get(ep), byEndpoint.get(ep)!, controls.get(ep)?.breaker !== undefined),
  );
  if (todo.length === 0) return [];
  const missing = todo.filter((ep) => !seen.rows.has(ep));
  if (missing.length > 0) await ensureControlRows(ctx, trx, missing);
  const locked = await readControlRows(ctx, trx, todo, true);
  const transitions: CircuitTransition[] = [];
  for (const ep of todo) {
    const row = locked.rows.get(ep);
    if (!row) continue;
    const next = applyAttempts(row, byEndpoint.get(ep)!, controls.get(ep), locked.now);
    await updateControlRow(ctx, trx, ep, next.patch);
    transitions.push(...next.transitions);
  }
  return transitions;
}
