import type { AttemptResult, CircuitTransition, EndpointControl } from "@hookline/core";
import type { Knex } from "knex";
import type { StoreContext } from "../context.js";
import {
  type ControlPatch,
  type ControlRow,
  ensureControlRows,
  readControlRows,
  updateControlRow,
} from "./endpoint-control-rows.js";

/** The longest 429 pause: a Retry-After of days must not silence an endpoint for days. */
export const MAX_PAUSE_MS = 3_600_000;

/** Outcomes that say nothing about the receiver: an abort at stop, a cancel for a disabled endpoint. */
const NOT_THE_RECEIVER = new Set(["HOOKLINE_ABORTED", "HOOKLINE_ENDPOINT_DISABLED"]);

/** How the breaker counts one attempt. */
export function verdictOfAttempt(r: AttemptResult): "success" | "failure" | "ignored" {
  if (r.outcome.kind === "success") return "success";
  return NOT_THE_RECEIVER.has(r.outcome.error?.code ?? "") ? "ignored" : "failure";
}

/** The pause a 429 with Retry-After asks for, in ms (capped); 0 when none. */
export function pauseOf(r: AttemptResult): number {
  const ms = r.outcome.retryAfterMs;
  if (r.outcome.status !== 429 || typeof ms !== "number" || !Number.isFinite(ms) || ms <= 0) return 0;
  return Math.min(Math.round(ms), MAX_PAUSE_MS);
}

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
  const open = (cooldown: number) => {
    Object.assign(s, {
      circuit: "open",
      cooldownMs: cooldown,
      openUntil: now + cooldown,
      probeId: null,
      probeUntil: null,
    });
    transitions.push({
      endpointId: row.endpointId,
      state: "open",
      consecutiveFailures: s.failures,
      openUntil: new Date(now + cooldown),
    });
  };
  let pause = 0;
  // Attempt order: a success after a failure resets the count; the reverse does not.
  const ordered = [...results].sort((x, y) => x.startedAt.getTime() - y.startedAt.getTime());
  for (const r of ordered) {
    pause = Math.max(pause, pauseOf(r));
    if (!b) continue;
    const verdict = verdictOfAttempt(r);
    const probe = s.probeId !== null && r.deliveryId === s.probeId && s.circuit === "half_open";
    if (verdict === "ignored") {
      // The probe never reached the receiver: the next claim sends another one at once.
      if (probe) Object.assign(s, { circuit: "open", probeId: null, probeUntil: null });
      continue;
    }
    if (verdict === "success") {
      s.failures = 0;
      if (!probe) continue;
      Object.assign(s, {
        circuit: "closed",
        openUntil: null,
        cooldownMs: null,
        probeId: null,
        probeUntil: null,
      });
      transitions.push({
        endpointId: row.endpointId,
        state: "closed",
        consecutiveFailures: 0,
        openUntil: null,
      });
      continue;
    }
    s.failures += 1;
    if (probe) open(Math.min(2 * (s.cooldownMs ?? b.cooldownMs), b.maxCooldownMs));
    else if (s.circuit === "closed" && s.failures >= b.failureThreshold) open(b.cooldownMs);
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
  if (results.some((r) => pauseOf(r) > 0)) return true;
  if (!breaker) return false;
  if (results.some((r) => verdictOfAttempt(r) === "failure")) return true;
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
  const byEndpoint = new Map<string, AttemptResult[]>();
  for (const r of applied) {
    if (!controls.get(r.endpointId)?.breaker && pauseOf(r) === 0) continue;
    byEndpoint.set(r.endpointId, [...(byEndpoint.get(r.endpointId) ?? []), r]);
  }
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
