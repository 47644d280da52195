import { makeEvent } from "@hookline/core/testing";
import { describe, expect, it } from "vitest";
import { useApiEnv } from "../__fixtures__/api-env.js";

const env = useApiEnv(1);

describe("POST /api/deliveries/:id/replay", () => {
  it("requeues a terminal delivery; the running worker re-sends it under the same webhook-id", async () => {
    const [d] = (await env().call("/api/deliveries?endpoint=alerts&limit=1")).body.items;
    const before = env().live.receiver.requests.filter((r) => r.path === "/alerts").length;
    const r = await env().call(`/api/deliveries/${d.id}/replay`, { json: {} });
    expect(r).toMatchObject({ status: 200, body: { deliveryId: d.id, requeued: 1, skipped: 0 } });
    const sent = await env().live.receiver.waitFor(before + 1, { path: "/alerts" });
    expect(sent.at(-1)!.headers["webhook-id"]).toBe(d.eventId);
    await env().live.settle([d.id]);
    expect(await env().store.getDelivery(d.id)).toMatchObject({ status: "succeeded", attempts: 2 });
  });

  it("409 for a delivery still in flight, 404 for an unknown one", async () => {
    const ev = makeEvent({ code: "add_credits", endpoints: ["crm"], claim: { leaseMs: 600_000 } });
    await env().store.insertEvents([ev]);
    const r = await env().call(`/api/deliveries/${ev.deliveries[0]!.id}/replay`, { json: {} });
    expect(r.status).toBe(409);
    expect(r.body.error.message).toMatch(
      /^id: expected a succeeded, failed, cancelled delivery, got dlv_\w+ which is sending/,
    );
    const missing = await env().call("/api/deliveries/dlv_00000000000000000000000000000000/replay", {
      json: {},
    });
    expect(missing.status).toBe(404);
  });
});

describe("POST /api/replay (bulk)", () => {
  it("dry run counts, then replays what the filter matches", async () => {
    const dry = await env().call("/api/replay", { json: { endpoint: "billing", dryRun: true } });
    expect(dry.body).toEqual({
      dryRun: true,
      matched: 1,
      byStatus: { failed: 1 },
      byEndpoint: { billing: 1 },
      superseded: 0,
    });
    const [billing] = (await env().call("/api/deliveries?endpoint=billing")).body.items;
    expect(billing).toMatchObject({ status: "failed", attempts: 1 });
    const r = await env().call("/api/replay", {
      json: { endpoint: ["billing"], status: "failed", since: "1h" },
    });
    expect(r.body).toMatchObject({ dryRun: false, matched: 1, requeued: 1, skipped: 0 });
    await env().live.settle([billing.id]);
    expect(await env().store.getDelivery(billing.id)).toMatchObject({ status: "failed", attempts: 2 });
  });

  it.each([
    [{}, "body: expected at least one filter (status, event, endpoint, subject, since, until) or all: true"],
    [{ status: "pending" }, 'body.status: expected one of succeeded, failed, cancelled, got "pending"'],
    [{ endpoint: 7 }, "body.endpoint: expected a string or an array of strings, got number 7"],
    [{ all: "yes" }, 'body.all: expected true or false, got "yes"'],
    [{ everything: true }, "body.everything: expected a known field"],
  ])("400 for %j", async (json, message) => {
    const r = await env().call("/api/replay", { json });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toContain(message);
  });

  it("refuses bodies that are not small JSON objects", async () => {
    const form = await env().call("/api/replay", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "all=true",
    });
    expect(form).toMatchObject({
      status: 415,
      body: {
        error: {
          message: 'content-type: expected application/json, got "application/x-www-form-urlencoded"',
        },
      },
    });
    const broken = await env().call("/api/replay", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{all:",
    });
    expect(broken.status).toBe(400);
    const huge = await env().call("/api/replay", { json: { subject: "x".repeat(20_000) } });
    expect(huge).toMatchObject({
      status: 413,
      body: { error: { message: "body: expected at most 16384 bytes" } },
    });
    const array = await env().call("/api/replay", { json: [] });
    expect(array.body.error.message).toBe("body: expected a JSON object");
  });
});

describe("POST /api/endpoints/:id/disable|enable", () => {
  it("disables with a reason (pending deliveries cancelled), shows it, and enables again", async () => {
    const r = await env().call("/api/endpoints/alerts/disable", { json: { reason: "receiver migrating" } });
    expect(r).toMatchObject({ status: 200, body: { endpointId: "alerts", disabled: true, cancelled: 0 } });
    const views = (await env().call("/api/endpoints")).body;
    expect(views[2]).toMatchObject({ id: "alerts", state: "disabled", disabledReason: "receiver migrating" });
    expect((await env().call("/api/endpoints/alerts/enable", { json: {} })).body).toEqual({
      endpointId: "alerts",
      disabled: false,
    });
    expect((await env().call("/api/endpoints")).body[2].state).toBe("active");
  });

  it("needs a reason to disable, and a known endpoint", async () => {
    expect((await env().call("/api/endpoints/alerts/disable", { json: {} })).body.error.message).toBe(
      "body.reason: expected a reason of 1 to 500 characters without control characters",
    );
    const unknown = await env().call("/api/endpoints/nope/enable", { json: {} });
    expect(unknown).toMatchObject({ status: 404, body: { error: { code: "HOOKLINE_NOT_FOUND" } } });
  });
});
