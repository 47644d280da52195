import type { StoredTraceContext } from "@hookline/core";
import { oneLine } from "./text.js";

const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;

/**
 * The event's stored trace context for a detail view: the trace id to look up in a tracing
 * backend, and the emit span within it; "-" when the emit was not traced.
 */
export function traceText(tc: StoredTraceContext | null | undefined): string {
  if (!tc) return "-";
  const m = TRACEPARENT.exec(tc.traceparent);
  // A log written by another writer may hold anything: shown as stored, one safe line.
  return m ? `${m[1]}  (emit span ${m[2]})` : oneLine(tc.traceparent);
}
