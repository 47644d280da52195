import type { SpanContext, TraceState } from "@opentelemetry/api";
import type { StoredTraceContext } from "../contracts/store.js";

// Written by hand rather than through the global propagator: what the log stores must not depend
// on which propagator (if any) the application registered, and it must parse the same everywhere.

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const HEX32 = /^[0-9a-f]{32}$/;
const HEX16 = /^[0-9a-f]{16}$/;
const ZERO_TRACE = "0".repeat(32);
const ZERO_SPAN = "0".repeat(16);
/** W3C: a tracestate longer than this may be dropped; the store column holds no more. */
export const MAX_TRACESTATE_LENGTH = 512;
/** W3C: at most this many list members. */
const MAX_MEMBERS = 32;
const KEY = /^(?:[a-z][a-z0-9_\-*/]{0,255}|[a-z0-9][a-z0-9_\-*/]{0,240}@[a-z][a-z0-9_\-*/]{0,13})$/;
const VALUE = /^[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;

/** True when both ids have the W3C form and neither is all zeros. */
export function isValidIds(traceId: string, spanId: string): boolean {
  return HEX32.test(traceId) && traceId !== ZERO_TRACE && HEX16.test(spanId) && spanId !== ZERO_SPAN;
}

/** `00-<trace id>-<span id>-<flags>` of a span context. */
export function formatTraceparent(sc: SpanContext): string {
  const flags = sc.traceFlags & 0xff;
  return `00-${sc.traceId}-${sc.spanId}-${flags < 16 ? "0" : ""}${flags.toString(16)}`;
}

/** A span's tracestate as sent: undefined when empty; members dropped from the end past 512 chars. */
export function formatTracestate(state: TraceState | undefined): string | undefined {
  let text = state?.serialize();
  if (!text) return undefined;
  while (text.length > MAX_TRACESTATE_LENGTH) {
    const cut = text.lastIndexOf(",");
    if (cut < 0) return undefined;
    text = text.slice(0, cut);
  }
  return text;
}

/** What the log keeps of a span context; null when the context is not valid (no SDK recorded it). */
export function toStoredTraceContext(sc: SpanContext): StoredTraceContext | null {
  if (!isValidIds(sc.traceId, sc.spanId)) return null;
  const traceparent = formatTraceparent(sc);
  const tracestate = formatTracestate(sc.traceState);
  return tracestate === undefined ? { traceparent } : { traceparent, tracestate };
}

/**
 * The remote span context a stored (or received) W3C context names; undefined when the
 * traceparent is not version 00 of the right form or an id is all zeros. A tracestate that is
 * too long or malformed is dropped, the traceparent kept (as W3C asks).
 */
export function parseTraceContext(tc: StoredTraceContext | null | undefined): SpanContext | undefined {
  if (!tc || typeof tc.traceparent !== "string") return undefined;
  const m = TRACEPARENT.exec(tc.traceparent);
  if (!m) return undefined;
  const [, traceId, spanId, flags] = m as unknown as [string, string, string, string];
  if (traceId === ZERO_TRACE || spanId === ZERO_SPAN) return undefined;
  const traceState = parseTracestate(tc.tracestate);
  return {
    traceId,
    spanId,
    traceFlags: Number.parseInt(flags, 16),
    isRemote: true,
    ...(traceState === undefined ? {} : { traceState }),
  };
}

/** A W3C tracestate header as a TraceState; undefined when absent, too long or malformed. */
export function parseTracestate(raw: string | undefined): TraceState | undefined {
  if (typeof raw !== "string" || raw.length === 0 || raw.length > MAX_TRACESTATE_LENGTH) return undefined;
  const members = new Map<string, string>();
  for (const part of raw.split(",")) {
    const member = part.trim();
    if (member === "") continue;
    const eq = member.indexOf("=");
    const key = member.slice(0, eq);
    const value = member.slice(eq + 1);
    if (eq <= 0 || !KEY.test(key) || !VALUE.test(value) || members.has(key)) return undefined;
    members.set(key, value);
  }
  if (members.size === 0 || members.size > MAX_MEMBERS) return undefined;
  return new W3CTraceState(members);
}

/** An immutable tracestate (the API's own needs @opentelemetry/api 1.4 or later). */
class W3CTraceState implements TraceState {
  readonly #members: ReadonlyMap<string, string>;

  constructor(members: ReadonlyMap<string, string>) {
    this.#members = members;
  }

  get(key: string): string | undefined {
    return this.#members.get(key);
  }

  // A newly set key moves to the front, as W3C asks of a vendor updating its entry.
  set(key: string, value: string): TraceState {
    const next = new Map([[key, value]]);
    for (const [k, v] of this.#members) if (k !== key) next.set(k, v);
    return new W3CTraceState(next);
  }

  unset(key: string): TraceState {
    const next = new Map(this.#members);
    next.delete(key);
    return new W3CTraceState(next);
  }

  serialize(): string {
    return [...this.#members].map(([k, v]) => `${k}=${v}`).join(",");
  }
}

/** Add `traceparent` (and `tracestate` when there is one) of a valid span context to `headers`. */
export function injectTraceContext(sc: SpanContext, headers: Record<string, string>): void {
  if (!isValidIds(sc.traceId, sc.spanId)) return;
  headers.traceparent = formatTraceparent(sc);
  const tracestate = formatTracestate(sc.traceState);
  if (tracestate !== undefined) headers.tracestate = tracestate;
}
