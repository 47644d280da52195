import type { StoredTraceContext } from "@hookline/core";

/** Column sizes of `trace_parent` and `trace_state` (migration 0007). */
export const TRACE_PARENT_CHARS = 55;
export const TRACE_STATE_CHARS = 512;

const fits = (v: unknown, max: number): v is string =>
  typeof v === "string" && v.length > 0 && v.length <= max;

/**
 * The `trace_parent` and `trace_state` cells of an event. Tracing must never fail an emit, and a
 * value longer than its column would (strict MySQL and PostgreSQL reject it), so what does not fit
 * is left out: a tracestate over 512 chars (W3C lets a propagator drop it), or the whole context
 * when the traceparent is longer than a version-00 one (55 chars).
 */
export function traceCells(tc: StoredTraceContext | null | undefined): [string | null, string | null] {
  if (!tc || !fits(tc.traceparent, TRACE_PARENT_CHARS)) return [null, null];
  return [tc.traceparent, fits(tc.tracestate, TRACE_STATE_CHARS) ? tc.tracestate : null];
}

/** A stored trace context from its two columns; null when the event has none. */
export function traceContextOf(parent: unknown, state: unknown): StoredTraceContext | null {
  if (typeof parent !== "string" || parent.length === 0) return null;
  return typeof state === "string" && state.length > 0
    ? { traceparent: parent, tracestate: state }
    : { traceparent: parent };
}
