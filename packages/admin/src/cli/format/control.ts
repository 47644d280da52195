import { type ControlView, isDefaultBreaker } from "../../ops/endpoint-control.js";
import type { EndpointView } from "../../ops/endpoints.js";
import type { Colors } from "../context.js";
import { fmtTime } from "./text.js";

const HALF_DAY_MS = 12 * 3_600_000;

/** A time near `now` as its clock time (cool-downs and pauses are short); a far one in full. */
export function fmtClock(d: Date, now: Date): string {
  return Math.abs(d.getTime() - now.getTime()) < HALF_DAY_MS
    ? `${d.toISOString().slice(11, 19)}Z`
    : fmtTime(d);
}

/** A configured duration in the largest unit that divides it ("30 s", "10 min", "1500 ms"). */
export function fmtDuration(ms: number): string {
  if (ms > 0 && ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms > 0 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms > 0 && ms % 1000 === 0) return `${ms / 1000} s`;
  return `${ms} ms`;
}

/**
 * The `circuit` column: closed, open until its cool-down ends (then the next claim sends a probe),
 * half-open while the probe is out, and a 429 pause on a line of its own.
 */
export function circuitText(c: Colors, e: Pick<EndpointView, "circuit" | "pausedUntil">, now: Date): string {
  const { state, openUntil } = e.circuit;
  const lines =
    state === "half_open"
      ? [c.yellow("half-open"), "probing"]
      : state === "open"
        ? [
            c.red("open"),
            openUntil && openUntil.getTime() > now.getTime()
              ? `until ${fmtClock(openUntil, now)}`
              : "probe due",
          ]
        : ["closed"];
  if (e.pausedUntil) lines.push(`${c.yellow("paused")} until ${fmtClock(e.pausedUntil, now)}`);
  return lines.join("\n");
}

/**
 * The `control` column: what the config sets beyond plain delivery. The default breaker, which
 * every endpoint has, is left out ("defaults" when nothing else is set); `--json` lists it all.
 */
export function controlText(control: ControlView | null): string {
  if (!control) return "-";
  const lines: string[] = [];
  if (control.ordering === "subject") lines.push("ordered by subject");
  if (!control.supersede) lines.push("no supersede");
  if (control.rateLimit) lines.push(`${control.rateLimit.perSecond}/s, burst ${control.rateLimit.burst}`);
  if (control.maxConcurrent !== null) lines.push(`max ${control.maxConcurrent} at once`);
  const b = control.circuitBreaker;
  if (!b) lines.push("no breaker");
  else if (!isDefaultBreaker(b))
    lines.push(
      `breaker ${b.failureThreshold} failure${b.failureThreshold === 1 ? "" : "s"}`,
      `cool-down ${fmtDuration(b.cooldownMs)}–${fmtDuration(b.maxCooldownMs)}`,
    );
  return lines.length > 0 ? lines.join("\n") : "defaults";
}
