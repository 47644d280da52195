import { describe, expect, it } from "vitest";
import { useApiEnv } from "../__fixtures__/api-env.js";
import { BILLING_API_KEY } from "../__fixtures__/live-hookline.js";

// 3 rounds of the three buyer events: 18 deliveries (billing 3 failed, the rest succeeded).
const env = useApiEnv(3, { maxPageSize: 10 });

const idsOf = (body: { items: { id: string }[] }) => body.items.map((d) => d.id);

describe("GET /api/deliveries", () => {
  it("filters by status, event, endpoint, subject and time", async () => {
    const failed = await env().call("/api/deliveries?status=failed");
    expect(failed.status).toBe(200);
    expect(failed.body.items.map((d: { endpointId: string }) => d.endpointId)).toEqual([
      "billing",
      "billing",
      "billing",
    ]);
    const q =
      "/api/deliveries?event=add_credits&event=post_code_change&endpoint=crm&subject=b-2&since=1h&until=now";
    const narrowed = await env().call(q);
    expect(narrowed.body.items.map((d: { eventCode: string }) => d.eventCode)).toEqual([
      "add_credits",
      "post_code_change",
    ]);
  });

  it("caps the page size and pages with the cursor", async () => {
    const first = await env().call("/api/deliveries");
    expect(first.body.items).toHaveLength(10); // the default page is capped by maxPageSize
    const second = await env().call(`/api/deliveries?limit=10&cursor=${first.body.nextCursor}`);
    expect(second.body.nextCursor).toBeNull();
    expect([...idsOf(first.body), ...idsOf(second.body)]).toEqual([...env().ids].sort().reverse());
    const over = await env().call("/api/deliveries?limit=11");
    expect(over).toMatchObject({
      status: 400,
      body: {
        error: {
          code: "HOOKLINE_INVALID_OPTION",
          message: 'limit: expected an integer from 1 to 10, got "11"',
        },
      },
    });
  });

  it.each([
    ["status=bogus", 'status: expected one of pending, sending, succeeded, failed, cancelled, got "bogus"'],
    ["since=next%20week", "since: expected an ISO 8601 date or time"],
    ["since=1h&until=2h", "since: expected a time before until"],
    ["limit=1000000000", 'limit: expected an integer from 1 to 10, got "1000000000"'],
    ["limit=ten", 'limit: expected an integer from 1 to 10, got "ten"'],
    ["subject=a&subject=b", "subject: expected one value, got 2"],
    [
      "statuss=failed",
      '"statuss": expected a known parameter (status, event, endpoint, subject, since, until, limit, cursor)',
    ],
    ["cursor=x'%20OR%201%3D1", "cursor: expected the nextCursor of a previous page"],
  ])("400 for %s, saying what was expected", async (query, message) => {
    const r = await env().call(`/api/deliveries?${query}`);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe("HOOKLINE_INVALID_OPTION");
    expect(r.body.error.message).toContain(message);
  });
});

describe("filters are bound parameters: injection attempts are harmless (real SQLite knex store)", () => {
  it.each([
    "' OR 1=1 --",
    "b-0' OR '1'='1",
    '"; DROP TABLE hookline_deliveries; --',
    "b-0%' OR subject LIKE '%",
    "\\' OR 1=1 #",
  ])("subject %j matches nothing and changes nothing", async (subject) => {
    const r = await env().call(`/api/deliveries?subject=${encodeURIComponent(subject)}`);
    expect(r.status).toBe(200);
    expect(r.body.items).toEqual([]);
    const events = await env().call(`/api/events?subject=${encodeURIComponent(subject)}`);
    expect(events.body.items).toEqual([]);
    // Still all there: nothing was dropped or widened.
    expect((await env().store.listDeliveries({}, { limit: 100 })).items).toHaveLength(18);
    expect((await env().store.listDeliveries({ subject: "b-0" }, { limit: 100 })).items).toHaveLength(6);
  });

  it.each([
    ["status", "failed' OR 1=1 --"],
    ["endpoint", "crm' OR '1'='1"],
    ["event", "add_credits) OR (1=1"],
    ["since", "2026-01-01' OR 1=1 --"],
  ])("%s %j is refused before it reaches the store", async (key, value) => {
    const r = await env().call(`/api/deliveries?${key}=${encodeURIComponent(value)}`);
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(new RegExp(`^${key}: expected`));
  });

  it("an id with SQL in it is a 400, an unknown well-formed id a 404", async () => {
    expect((await env().call(`/api/deliveries/${encodeURIComponent("x' OR '1'='1")}`)).status).toBe(400);
    const missing = await env().call("/api/deliveries/dlv_00000000000000000000000000000000");
    expect(missing).toMatchObject({ status: 404, body: { error: { code: "HOOKLINE_NOT_FOUND" } } });
    expect(missing.body.error.message).toBe(
      'delivery "dlv_00000000000000000000000000000000": expected an existing delivery id, found none',
    );
  });
});

describe("GET /api/deliveries/:id and events", () => {
  it("a delivery with its event body and every attempt, secrets redacted", async () => {
    const [d] = (await env().call("/api/deliveries?endpoint=billing&limit=1")).body.items;
    const r = await env().call(`/api/deliveries/${d.id}`);
    expect(r.status).toBe(200);
    expect(r.body.event.body).toMatch(
      /^\{"buyerId":"b-\d","buyerName":"test",.*"eventCode":"add_credits"\}$/,
    );
    expect(r.body.attemptLog).toHaveLength(1);
    expect(r.body.attemptLog[0]).toMatchObject({
      responseStatus: 500,
      responseBody: '{"error":"ledger offline"}',
      errorCode: "HOOKLINE_HTTP_STATUS",
      requestHeaders: { authorization: "[redacted]", "webhook-id": d.eventId },
    });
    expect(JSON.stringify(r.body)).not.toContain(BILLING_API_KEY);
  });

  it("events list and show", async () => {
    const list = await env().call("/api/events?event=add_credits&limit=2");
    expect(list.body.items).toHaveLength(2);
    const one = await env().call(`/api/events/${list.body.items[0].id}`);
    expect(one.body.deliveries).toHaveLength(2);
    expect((await env().call("/api/events?status=failed")).status).toBe(400);
  });
});

describe("aggregates", () => {
  it("stats per event code and endpoint", async () => {
    const r = await env().call("/api/stats?since=1h&endpoint=billing");
    expect(r.body.rows).toEqual([
      expect.objectContaining({ eventCode: "add_credits", endpointId: "billing", total: 3, successRate: 0 }),
    ]);
  });

  it("timeline: round buckets covering the range, counts adding up", async () => {
    const r = await env().call("/api/timeline?since=6h&buckets=12");
    expect(r.body.bucketMs).toBe(1_800_000);
    expect(new Date(r.body.since).getTime() % 1_800_000).toBe(0);
    const total = r.body.buckets.reduce(
      (n: number, b: { counts: Record<string, number> }) =>
        n + Object.values(b.counts).reduce((a, c) => a + c, 0),
      0,
    );
    expect(total).toBe(18);
    expect(r.body.buckets.some((b: { p95Ms: number | null }) => b.p95Ms !== null)).toBe(true);
    expect((await env().call("/api/timeline?buckets=501")).body.error.message).toBe(
      'buckets: expected an integer from 1 to 500, got "501"',
    );
  });

  it("endpoint health", async () => {
    const r = await env().call("/api/endpoints");
    expect(r.body.map((e: { id: string; state: string }) => [e.id, e.state])).toEqual([
      ["crm", "active"],
      ["billing", "failing"],
      ["alerts", "active"],
    ]);
    expect(r.body[1].health).toMatchObject({ consecutiveFailures: 3, successRate: 0, lastSuccessAt: null });
  });
});
