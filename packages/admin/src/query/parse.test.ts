import { describe, expect, it } from "vitest";
import { isNarrowed, parseDeliveryFilter, parseEventFilter, parseTimeRange } from "./parse-filter.js";
import { parseCursor, parseId, parseLimit } from "./parse-limit.js";
import { parseDuration, parseTime } from "./parse-time.js";

const now = new Date("2026-11-28T12:00:00Z");
const cli = (f: string) => `--${f}`;

describe("parseTime", () => {
  it.each([
    ["now", "2026-11-28T12:00:00.000Z"],
    ["90s", "2026-11-28T11:58:30.000Z"],
    ["30m", "2026-11-28T11:30:00.000Z"],
    ["24h", "2026-11-27T12:00:00.000Z"],
    ["7d", "2026-11-21T12:00:00.000Z"],
    ["2w", "2026-11-14T12:00:00.000Z"],
    ["2026-11-01", "2026-11-01T00:00:00.000Z"],
    ["2026-11-01T08:15", "2026-11-01T08:15:00.000Z"],
    ["2026-11-01 08:15:30", "2026-11-01T08:15:30.000Z"],
    ["2026-11-01T08:15:30.250Z", "2026-11-01T08:15:30.250Z"],
    ["2026-11-01T08:15:30+02:00", "2026-11-01T06:15:30.000Z"],
  ])("reads %s", (raw, iso) => {
    expect(parseTime("--since", raw, now).toISOString()).toBe(iso);
  });

  it.each([
    "yesterday",
    "2026-02-31",
    "2026-13-01",
    "2026-11-28T25:00",
    "1969-12-31",
    "0d",
    "-3h",
    "10",
    "1000000000d",
    "",
  ])("refuses %j with what it expected", (raw) => {
    expect(() => parseTime("--since", raw, now)).toThrow(
      /^HOOKLINE_INVALID_OPTION: --since: expected an ISO 8601 date or time .*duration ago/,
    );
  });

  it("parseDuration only reads durations", () => {
    expect(parseDuration("12h")).toBe(12 * 3_600_000);
    expect(parseDuration("2026-01-01")).toBeNull();
  });
});

describe("parseLimit / parseCursor / parseId", () => {
  it("accepts 1..max and falls back when absent", () => {
    expect(parseLimit("--limit", undefined, 50, 1000)).toBe(50);
    expect(parseLimit("--limit", "1000", 50, 1000)).toBe(1000);
  });
  it.each(["0", "1001", "1000000000", "1e3", "-1", "ten", "2.5"])("refuses limit %j", (raw) => {
    expect(() => parseLimit("--limit", raw, 50, 1000)).toThrow(
      `HOOKLINE_INVALID_OPTION: --limit: expected an integer from 1 to 1000, got "${raw}"`,
    );
  });
  it("refuses cursors and ids that no store produces", () => {
    expect(parseCursor("cursor", "dlv_0192aa")).toBe("dlv_0192aa");
    expect(() => parseCursor("cursor", "x' OR 1=1")).toThrow(/cursor: expected the nextCursor/);
    expect(() => parseId("id", "a/b")).toThrow(/id: expected an id/);
  });
});

describe("parseDeliveryFilter", () => {
  it("splits commas, merges repeats and keeps every field", () => {
    const f = parseDeliveryFilter(
      {
        status: ["failed,cancelled", "failed"],
        event: ["add_credits"],
        endpoint: ["billing", "crm"],
        subject: "' OR 1=1 --",
        since: "24h",
        until: "now",
      },
      cli,
      now,
    );
    expect(f).toEqual({
      status: ["failed", "cancelled"],
      eventCode: ["add_credits"],
      endpointId: ["billing", "crm"],
      subject: "' OR 1=1 --",
      since: new Date("2026-11-27T12:00:00Z"),
      until: now,
    });
    expect(isNarrowed(f)).toBe(true);
    expect(isNarrowed(parseDeliveryFilter({}, cli, now))).toBe(false);
  });

  it.each([
    [
      { status: ["done"] },
      '--status: expected one of pending, sending, succeeded, failed, cancelled, got "done"',
    ],
    [{ status: [","] }, "--status: expected at least one value"],
    [{ event: ["Add Credits"] }, '--event: expected event codes such as add_credits, got "Add Credits"'],
    [{ endpoint: ["billing' OR 1=1 --"] }, "--endpoint: expected endpoint ids such as billing"],
    [{ subject: "a\nb" }, "--subject: expected a subject of 1 to 255 printable characters"],
    [{ subject: "x".repeat(256) }, "--subject: expected a subject of 1 to 255"],
    [{ since: "2h", until: "3h" }, "--since: expected a time before --until (2026-11-28T09:00:00.000Z)"],
  ])("refuses %j", (input, message) => {
    expect(() => parseDeliveryFilter(input, cli, now)).toThrow(message);
  });

  it("limits statuses when asked (replay takes terminal ones only)", () => {
    expect(() => parseDeliveryFilter({ status: ["pending"] }, cli, now, ["failed", "cancelled"])).toThrow(
      '--status: expected one of failed, cancelled, got "pending"',
    );
  });

  it("event filters drop delivery-only fields", () => {
    expect(parseEventFilter({ event: ["add_credits"], subject: "b-1" }, cli, now)).toEqual({
      eventCode: ["add_credits"],
      subject: "b-1",
    });
  });

  it("time ranges default to a span ending now", () => {
    expect(parseTimeRange({}, cli, now, 3_600_000)).toEqual({
      since: new Date("2026-11-28T11:00:00Z"),
      until: now,
    });
    expect(parseTimeRange({ until: "1h" }, cli, now, 3_600_000).since).toEqual(
      new Date("2026-11-28T10:00:00Z"),
    );
  });
});
