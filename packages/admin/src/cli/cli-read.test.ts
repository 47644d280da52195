import {
  type DeliverySummary,
  type EventDetail,
  HOOKLINE_VERSION,
  type Page,
  type StatsRow,
} from "@hookline/core";
import { DEFAULT_USER_AGENT } from "@hookline/transport-http";
import { describe, expect, it } from "vitest";
import { useCliEnv } from "../__fixtures__/cli-env.js";
import { BILLING_API_KEY, HOSTILE_BODY } from "../__fixtures__/live-hookline.js";

const env = useCliEnv(2);
// The CSI that starts every colour code.
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[`);

async function listJson(args: string[]): Promise<Page<DeliverySummary>> {
  const r = await env().run(["deliveries", "list", "--json", ...args]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

describe("hookline deliveries", () => {
  it("lists every delivery newest first, as a table", async () => {
    const r = await env().run(["deliveries", "list"]);
    expect(r.code).toBe(0);
    for (const id of env().ids) expect(r.stdout).toContain(id);
    expect(r.stdout).toMatch(
      /│ add_credits\s+│ billing\s+│ b-1\s+│ failed\s+│ 1\s+│ 500\s+│ HOOKLINE_HTTP_STATUS/,
    );
    expect(r.stdout).not.toMatch(ANSI);
  });

  it("filters by status, event code, endpoint, buyer and time; --json on the listing", async () => {
    const failed = await listJson(["--status", "failed"]);
    expect(failed.items.map((d) => [d.endpointId, d.status])).toEqual([
      ["billing", "failed"],
      ["billing", "failed"],
    ]);
    const crmTopUps = await listJson(["--event", "add_credits", "--endpoint", "crm"]);
    expect(crmTopUps.items).toHaveLength(2);
    expect(crmTopUps.items.every((d) => d.eventCode === "add_credits" && d.endpointId === "crm")).toBe(true);
    const buyer = await listJson(["--buyer", "b-1"]);
    expect(buyer.items).toHaveLength(6);
    expect(buyer.items.every((d) => d.subject === "b-1")).toBe(true);
    expect(
      (await listJson(["--status", "succeeded,failed", "--since", "1h", "--until", "now"])).items,
    ).toHaveLength(12);
    expect((await listJson(["--until", "1h"])).items).toHaveLength(0);
    expect((await listJson(["--subject", "' OR 1=1 --"])).items).toHaveLength(0);
  });

  it("pages with --limit and --cursor without gaps or repeats", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Page<DeliverySummary> = await listJson([
        "--limit",
        "5",
        ...(cursor ? ["--cursor", cursor] : []),
      ]);
      seen.push(...page.items.map((d) => d.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([...env().ids].sort().reverse());
    const r = await env().run(["deliveries", "list", "--limit", "5"]);
    expect(r.stdout).toMatch(/More: add --cursor \S+\n$/); // cursors are opaque to the admin
  });

  it("show: the exact body and every attempt with redacted request headers and the response", async () => {
    const [failed] = (await listJson(["--endpoint", "billing", "--limit", "1"])).items;
    const r = await env().run(["deliveries", "show", failed!.id]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`webhook-id ${failed!.eventId}`);
    expect(r.stdout).toContain(
      '{"buyerId":"b-1","buyerName":"test","postCodeList":["AB","BN","GN"],"topUpAmount":100,"eventCode":"add_credits"}',
    );
    expect(r.stdout).toMatch(/Attempt 1 .* HTTP 500 {2}permanent|Attempt 1 .* HTTP 500 {2}retryable/);
    expect(r.stdout).toContain("request: POST http://127.0.0.1:");
    expect(r.stdout).toContain("authorization: [redacted]");
    expect(r.stdout).toContain(`webhook-id: ${failed!.eventId}`);
    expect(r.stdout).toContain('{"error":"ledger offline"}');
    expect(r.stdout).toMatch(/error: HOOKLINE_HTTP_STATUS/);
    expect(r.stdout).not.toContain(BILLING_API_KEY);
    const json = JSON.parse((await env().run(["deliveries", "show", failed!.id, "--json"])).stdout);
    expect(json.attemptLog[0]).toMatchObject({ responseStatus: 500, durationMs: expect.any(Number) });
    expect(JSON.stringify(json)).not.toContain(BILLING_API_KEY);
  });

  it("show marks an attempt recorded without webhook-signature as unsigned", async () => {
    const [unsigned] = (await listJson(["--endpoint", "billing", "--limit", "1"])).items;
    const [signed] = (await listJson(["--endpoint", "crm", "--limit", "1"])).items;
    expect((await env().run(["deliveries", "show", unsigned!.id])).stdout).toMatch(
      /request: POST http:\/\/127\.0\.0\.1:\S+ {2}unsigned \(no webhook-signature\)/,
    );
    const text = (await env().run(["deliveries", "show", signed!.id])).stdout;
    expect(text).toContain("webhook-signature: [redacted]");
    expect(text).not.toContain("unsigned");
  });

  it("show prints receiver bodies verbatim (it is a terminal, not a page)", async () => {
    const [alert] = (await listJson(["--endpoint", "alerts", "--limit", "1"])).items;
    expect((await env().run(["deliveries", "show", alert!.id])).stdout).toContain(HOSTILE_BODY);
  });
});

describe("hookline events", () => {
  it("lists and shows events with their deliveries", async () => {
    const list = JSON.parse((await env().run(["events", "list", "--json", "--event", "add_credits"])).stdout);
    expect(list.items).toHaveLength(2);
    const r = await env().run(["events", "show", list.items[0].id, "--json"]);
    const detail: EventDetail = JSON.parse(r.stdout);
    expect(detail.deliveries.map((d) => d.endpointId).sort()).toEqual(["billing", "crm"]);
    const table = await env().run(["events", "list", "--buyer", "b-0"]);
    expect(table.stdout.match(/evt_\w+/g)).toHaveLength(3);
  });
});

describe("hookline stats", () => {
  it("per event code and endpoint: counts, success rate and latency percentiles", async () => {
    const r = await env().run(["stats", "--json", "--since", "1h"]);
    const rows: StatsRow[] = JSON.parse(r.stdout).rows;
    const billing = rows.find((x) => x.endpointId === "billing")!;
    expect(billing).toMatchObject({ eventCode: "add_credits", total: 2, successRate: 0 });
    expect(billing.counts.failed).toBe(2);
    const crm = rows.filter((x) => x.endpointId === "crm");
    expect(crm.map((x) => x.eventCode)).toEqual(["add_credits", "post_code_change", "user_credits_zero"]);
    expect(crm.every((x) => x.successRate === 1 && x.p50Ms !== null && x.p95Ms! >= x.p50Ms!)).toBe(true);
    const narrowed = JSON.parse((await env().run(["stats", "--json", "--endpoint", "alerts"])).stdout).rows;
    expect(narrowed.map((x: StatsRow) => x.endpointId)).toEqual(["alerts", "alerts"]);
    const table = await env().run(["stats"]);
    expect(table.stdout).toMatch(/│ add_credits\s+│ billing\s+│ 2\s+│ 0\s+│ 2\s+│ 0\s+│ 0\s+│ 0\.0 %/);
  });
});

describe("bad arguments: one line saying what was expected, non-zero exit", () => {
  it.each([
    [
      ["deliveries", "list", "--status", "done"],
      /--status: expected one of pending, sending, succeeded, failed, cancelled, got "done"/,
    ],
    [["deliveries", "list", "--since", "last tuesday"], /--since: expected an ISO 8601 date or time/],
    [["deliveries", "list", "--since", "2026-02-30"], /--since: expected an ISO 8601 date/],
    [["deliveries", "list", "--since", "1h", "--until", "2h"], /--since: expected a time before --until/],
    [
      ["deliveries", "list", "--limit", "1000000000"],
      /--limit: expected an integer from 1 to 1000, got "1000000000"/,
    ],
    [["deliveries", "list", "--cursor", "' OR 1=1"], /--cursor: expected the nextCursor of a previous page/],
    [["events", "list", "--event", "ADD"], /--event: expected event codes such as add_credits, got "ADD"/],
    [["stats", "--until", "soon"], /--until: expected an ISO 8601 date/],
    [["purge", "--older-than", "forever"], /--older-than: expected an ISO 8601 date/],
    [["deliveries", "list", "--bogus"], /error: unknown option '--bogus'/],
    [["frobnicate"], /error: unknown command 'frobnicate'/],
    [["purge"], /error: required option '--older-than <time>' not specified/],
  ])("%j → exit 2", async (argv, message) => {
    const r = await env().run(argv);
    expect(r.code).toBe(2);
    expect(r.stderr.split("\n")[0]).toMatch(message);
    expect(r.stdout).toBe("");
  });

  it.each([
    [
      ["deliveries", "show", "dlv_00000000000000000000000000000000"],
      /^error: HOOKLINE_NOT_FOUND: delivery "dlv_0+": expected an existing delivery id, found none\n$/,
    ],
    [
      ["events", "show", "evt_00000000000000000000000000000000"],
      /^error: HOOKLINE_NOT_FOUND: event "evt_0+"/,
    ],
    [["replay", "dlv_00000000000000000000000000000000"], /^error: HOOKLINE_NOT_FOUND: delivery "dlv_0+"/],
  ])("unknown ids: %j → exit 1, one line", async (argv, message) => {
    const r = await env().run(argv);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
  });

  it("a missing config is one line too", async () => {
    const r = await env().run(["--config", "nope.json", "deliveries", "list"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^error: HOOKLINE_CONFIG_NOT_FOUND: expected a config file at .*nope.json, found none\n$/,
    );
  });
});

describe("help and version", () => {
  it("--help lists every command; --version prints the product version the user-agent carries", async () => {
    const help = await env().run(["--help"]);
    expect(help.code).toBe(0);
    for (const cmd of ["migrate", "deliveries", "events", "replay", "stats", "purge", "endpoints", "serve"])
      expect(help.stdout).toMatch(new RegExp(`\\n  ${cmd}\\b`));
    const version = (await env().run(["--version"])).stdout;
    expect(version).toMatch(/^\d+\.\d+\.\d+\n$/);
    expect(version).toBe(`${HOOKLINE_VERSION}\n`);
    expect(DEFAULT_USER_AGENT).toBe(`Hookline/${HOOKLINE_VERSION}`);
  });
});

describe("colours", () => {
  it("only on a TTY, and never with NO_COLOR or --no-color", async () => {
    const args = ["deliveries", "list", "--limit", "3"];
    expect((await env().run(args, { isTTY: true })).stdout).toMatch(ANSI);
    expect((await env().run(args, { isTTY: true, env: { NO_COLOR: "1" } })).stdout).not.toMatch(ANSI);
    expect((await env().run(["--no-color", ...args], { isTTY: true })).stdout).not.toMatch(ANSI);
    expect((await env().run(args, { isTTY: false })).stdout).not.toMatch(ANSI);
    const err = await env().run(["deliveries", "list", "--status", "x"], {
      isTTY: true,
      env: { NO_COLOR: "1" },
    });
    expect(err.stderr).not.toMatch(ANSI);
  });
});
