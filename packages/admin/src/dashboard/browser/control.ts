/** Delivery control in the endpoints table: the circuit badge and the configured limits. */
import type { Control, EndpointView } from "./api-types.js";
import { type Child, fmtTime, h } from "./dom.js";

const HALF_DAY_MS = 12 * 3_600_000;

// Cool-downs and pauses are short: the clock time reads best; a far one gets its date too.
function clock(iso: string, now: number): string {
  const t = Date.parse(iso);
  return Math.abs(t - now) < HALF_DAY_MS
    ? `${new Date(t).toISOString().slice(11, 19)} UTC`
    : `${fmtTime(iso)} UTC`;
}

function duration(ms: number): string {
  if (ms > 0 && ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms > 0 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms > 0 && ms % 1000 === 0) return `${ms / 1000} s`;
  return `${ms} ms`;
}

/**
 * closed; open until its cool-down ends (then the next claim sends one probe); half-open while
 * the probe is out; and a 429 pause below it.
 */
export function circuitCell(e: EndpointView, now = Date.now()): HTMLTableCellElement {
  const { state, openUntil } = e.circuit;
  const cooling = state === "open" && openUntil !== null && Date.parse(openUntil) > now;
  const kind = state === "half_open" ? "half-open" : state;
  const line =
    state === "half_open"
      ? "probing"
      : state === "open"
        ? cooling
          ? `until ${clock(openUntil!, now)}`
          : "probe due"
        : null;
  return h("td", { class: "circuit", "data-circuit": state }, [
    h("span", { class: `badge badge-circuit-${kind}` }, [kind]),
    line ? h("div", { class: "mono circuit-line" }, [line]) : null,
    e.pausedUntil
      ? h("div", { class: "mono paused", title: "answered 429 with Retry-After" }, [
          `paused until ${clock(e.pausedUntil, now)}`,
        ])
      : null,
  ]);
}

// Core's DEFAULT_BREAKER (this script compiles alone); the e2e test shows a configured endpoint
// on the defaults with no control line, so a change there cannot go unnoticed here.
const DEFAULT_BREAKER = { failureThreshold: 10, cooldownMs: 30_000, maxCooldownMs: 600_000 };

function isDefault(b: NonNullable<Control["circuitBreaker"]>): boolean {
  return (
    b.failureThreshold === DEFAULT_BREAKER.failureThreshold &&
    b.cooldownMs === DEFAULT_BREAKER.cooldownMs &&
    b.maxCooldownMs === DEFAULT_BREAKER.maxCooldownMs
  );
}

/** One line per setting beyond plain delivery; the default breaker every endpoint has is left out. */
export function controlLines(control: Control | null): Child[] {
  if (!control) return [];
  const lines: string[] = [];
  if (control.ordering === "subject") lines.push("ordered by subject");
  if (!control.supersede) lines.push("no supersede");
  if (control.rateLimit)
    lines.push(`rate ${control.rateLimit.perSecond}/s, burst ${control.rateLimit.burst}`);
  if (control.maxConcurrent !== null) lines.push(`max ${control.maxConcurrent} at once`);
  const b = control.circuitBreaker;
  if (!b) lines.push("no breaker");
  else if (!isDefault(b))
    lines.push(
      `breaker: ${b.failureThreshold} failure${b.failureThreshold === 1 ? "" : "s"}, cool-down ${duration(b.cooldownMs)}–${duration(b.maxCooldownMs)}`,
    );
  return lines.map((l) => h("div", { class: "mono control" }, [l]));
}
