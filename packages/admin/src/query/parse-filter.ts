import {
  DELIVERY_STATUSES,
  type DeliveryFilter,
  type DeliveryStatus,
  EVENT_CODE_PATTERN,
  type EventFilter,
  type TimeRange,
} from "@hookline/core";
import { invalidOption } from "../errors.js";
import { parseTime } from "./parse-time.js";

/** Raw filter arguments as typed by a user (CLI flags or query parameters). */
export interface FilterInput {
  /** Lists may repeat and/or be comma-separated. */
  readonly status?: readonly string[];
  readonly event?: readonly string[];
  readonly endpoint?: readonly string[];
  readonly subject?: string;
  readonly since?: string;
  readonly until?: string;
}

/** How an argument is named in messages: `--status` on the CLI, `status` in the API. */
export type ArgName = (field: string) => string;

// Same rule as core's endpoint ids, so a typo is reported instead of silently matching nothing.
const ENDPOINT_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const MAX_VALUES = 100;
const MAX_SUBJECT = 255;

function list(name: string, raw: readonly string[] | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  const values = [...new Set(raw.flatMap((v) => v.split(",")).map((v) => v.trim()))].filter(Boolean);
  if (values.length === 0) throw invalidOption(name, "at least one value", raw.join(","));
  if (values.length > MAX_VALUES) throw invalidOption(name, `at most ${MAX_VALUES} values`, values);
  return values;
}

function statuses(name: string, raw: readonly string[] | undefined, allowed: readonly DeliveryStatus[]) {
  const values = list(name, raw);
  for (const s of values ?? []) {
    if (!(allowed as readonly string[]).includes(s))
      throw invalidOption(name, `one of ${allowed.join(", ")}`, s);
  }
  return values as DeliveryStatus[] | undefined;
}

function matching(name: string, raw: readonly string[] | undefined, pattern: RegExp, what: string) {
  const values = list(name, raw);
  for (const v of values ?? []) if (!pattern.test(v)) throw invalidOption(name, what, v);
  return values;
}

const hasControlChars = (s: string) => [...s].some((ch) => ch.charCodeAt(0) < 0x20);

function subject(name: string, raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  // Any text is a valid subject (filters are bound parameters); only size and control bytes are refused.
  if (raw.length === 0 || raw.length > MAX_SUBJECT || hasControlChars(raw))
    throw invalidOption(name, `a subject of 1 to ${MAX_SUBJECT} printable characters`, raw);
  return raw;
}

/** since/until with since < until; either may be absent unless defaults are given. */
export function parseRange(
  input: Pick<FilterInput, "since" | "until">,
  name: ArgName,
  now: Date,
  defaults: { since?: Date; until?: Date } = {},
): { since?: Date; until?: Date } {
  const since = input.since === undefined ? defaults.since : parseTime(name("since"), input.since, now);
  const until = input.until === undefined ? defaults.until : parseTime(name("until"), input.until, now);
  if (since && until && since.getTime() >= until.getTime()) {
    throw invalidOption(
      name("since"),
      `a time before ${name("until")} (${until.toISOString()})`,
      since.toISOString(),
    );
  }
  return { ...(since ? { since } : {}), ...(until ? { until } : {}) };
}

/** A complete time range; defaults to the last `defaultSpanMs` up to now. */
export function parseTimeRange(
  input: Pick<FilterInput, "since" | "until">,
  name: ArgName,
  now: Date,
  defaultSpanMs: number,
): TimeRange {
  const until = input.until === undefined ? now : parseTime(name("until"), input.until, now);
  const r = parseRange(input, name, now, { since: new Date(until.getTime() - defaultSpanMs), until });
  return { since: r.since!, until: r.until! };
}

/** Validate user input into a store DeliveryFilter. */
export function parseDeliveryFilter(
  input: FilterInput,
  name: ArgName,
  now: Date,
  allowedStatuses: readonly DeliveryStatus[] = DELIVERY_STATUSES,
): DeliveryFilter {
  const status = statuses(name("status"), input.status, allowedStatuses);
  const eventCode = matching(
    name("event"),
    input.event,
    EVENT_CODE_PATTERN,
    "event codes such as add_credits",
  );
  const endpointId = matching(name("endpoint"), input.endpoint, ENDPOINT_ID, "endpoint ids such as billing");
  const subj = subject(name("subject"), input.subject);
  return {
    ...(status ? { status } : {}),
    ...(eventCode ? { eventCode } : {}),
    ...(endpointId ? { endpointId } : {}),
    ...(subj !== undefined ? { subject: subj } : {}),
    ...parseRange(input, name, now),
  };
}

/** Validate user input into a store EventFilter (no status or endpoint: those belong to deliveries). */
export function parseEventFilter(input: FilterInput, name: ArgName, now: Date): EventFilter {
  const f = parseDeliveryFilter({ ...input, status: undefined, endpoint: undefined }, name, now);
  const { status: _s, endpointId: _e, ...rest } = f;
  return rest;
}

/** True when the filter narrows by anything at all. */
export function isNarrowed(f: DeliveryFilter): boolean {
  return Object.keys(f).length > 0;
}
