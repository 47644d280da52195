import { invalidOption } from "../errors.js";

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const DURATION = /^(\d{1,9})(s|m|h|d|w)$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?)(Z|[+-]\d{2}:\d{2})?$/;
// Dates before the epoch or past year 9999 are typos, and some SQL dialects cannot store them.
const MIN_MS = 0;
const MAX_MS = Date.UTC(9999, 11, 31, 23, 59, 59);

/** What a time argument accepts, quoted in every error about one. */
export const TIME_FORMS =
  'an ISO 8601 date or time (2026-11-28, 2026-11-28T09:30:00Z; UTC unless an offset is given), "now", or a duration ago (90s, 30m, 24h, 7d, 2w)';

/** A duration such as `30m`, `24h`, `7d`, in milliseconds; null when `raw` is not one. */
export function parseDuration(raw: string): number | null {
  const m = DURATION.exec(raw.trim());
  if (!m) return null;
  const n = Number(m[1]);
  return n >= 1 ? n * UNIT_MS[m[2] as keyof typeof UNIT_MS] : null;
}

function parseAbsolute(raw: string): number | null {
  if (DATE_ONLY.test(raw)) return sameDay(Date.parse(`${raw}T00:00:00Z`), raw);
  const m = DATE_TIME.exec(raw);
  if (!m) return null;
  const ms = Date.parse(`${m[1]}T${m[2]}${m[3] ?? "Z"}`);
  // An offset shifts the UTC day, so only zone-less input can be checked against its calendar day.
  return m[3] && m[3] !== "Z" ? (Number.isNaN(ms) ? null : ms) : sameDay(ms, m[1]!);
}

// Date.parse rolls 2026-02-31 over into March; a round trip catches that.
function sameDay(ms: number, day: string): number | null {
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === day ? ms : null;
}

/** Parse a time argument relative to `now`; throws HOOKLINE_INVALID_OPTION naming `what`. */
export function parseTime(what: string, raw: string, now: Date): Date {
  const text = raw.trim();
  let ms: number | null;
  if (text === "now") ms = now.getTime();
  else {
    const ago = parseDuration(text);
    ms = ago === null ? parseAbsolute(text) : now.getTime() - ago;
  }
  if (ms === null || ms < MIN_MS || ms > MAX_MS) throw invalidOption(what, TIME_FORMS, raw);
  return new Date(ms);
}
