import { TERMINAL_STATUSES, verify } from "@hookline/core";
import { makeEvent, until } from "@hookline/core/testing";
import { describe, expect, it } from "vitest";
import { useCliEnv } from "../__fixtures__/cli-env.js";
import { testEndpoints } from "../__fixtures__/live-hookline.js";
import { runCli } from "./run-cli.js";

const env = useCliEnv(1);
const CRM_SECRET = testEndpoints("x")[0]!.secret!;

async function deliveriesOf(endpointId: string) {
  return (await env().store.listDeliveries({ endpointId: [endpointId] }, { limit: 100 })).items;
}

async function settle(ids: readonly string[]) {
  await env().live.settle(ids);
}

describe("hookline replay", () => {
  it("one delivery: same webhook-id, freshly signed, re-sent by the running worker", async () => {
    const [d] = (await deliveriesOf("crm")).filter((x) => x.eventCode === "add_credits");
    const before = env().live.receiver.requests.filter((r) => r.path === "/crm").length;
    const r = await env().run(["replay", d!.id]);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout).toContain("Replayed 1 of 1 delivery (succeeded 1; by endpoint: crm 1).");
    const sent = await env().live.receiver.waitFor(before + 1, { path: "/crm" });
    const again = sent[sent.length - 1]!;
    expect(again.headers["webhook-id"]).toBe(d!.eventId);
    expect(verify({ body: again.body, headers: again.headers, secret: CRM_SECRET }).id).toBe(d!.eventId);
    await settle([d!.id]);
    expect(await env().store.getDelivery(d!.id)).toMatchObject({ status: "succeeded", attempts: 2 });
  });

  it("bulk by filter: --dry-run changes nothing; then a progress bar and a summary", async () => {
    const billing = await deliveriesOf("billing");
    expect(billing.map((d) => [d.status, d.attempts])).toEqual([["failed", 1]]);
    const dry = await env().run(["replay", "--endpoint", "billing", "--dry-run"]);
    expect(dry.stdout).toBe("Dry run: would replay 1 delivery (failed 1).\nBy endpoint: billing 1.\n");
    expect((await deliveriesOf("billing"))[0]).toMatchObject({ status: "failed", attempts: 1 });

    const r = await env().run(["replay", "--endpoint", "billing", "--since", "1h"], {
      isTTY: true,
      env: { NO_COLOR: "1" }, // the bar is for terminals; NO_COLOR only drops colour
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/replay \[.*\] 1\/1 100%/);
    expect(r.stdout).toContain("Replayed 1 of 1 delivery (failed 1; by endpoint: billing 1).");
    await settle(billing.map((d) => d.id));
    expect((await deliveriesOf("billing"))[0]).toMatchObject({ status: "failed", attempts: 2 });
  });

  it("--json summaries for scripts", async () => {
    const r = await env().run(["replay", "--all", "--dry-run", "--json"]);
    expect(JSON.parse(r.stdout)).toMatchObject({
      dryRun: true,
      matched: 1,
      byStatus: { failed: 1 },
      ids: [expect.any(String)],
    });
  });

  it("refuses a delivery still in flight, and ambiguous or unbounded requests", async () => {
    const inflight = makeEvent({ code: "add_credits", endpoints: ["crm"], claim: { leaseMs: 600_000 } });
    await env().store.insertEvents([inflight]);
    const id = inflight.deliveries[0]!.id;
    const r = await env().run(["replay", id]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /<delivery-id>: expected a succeeded, failed, cancelled delivery, but dlv_\w+ is sending/,
    );
    for (const [argv, message] of [
      [["replay"], /replay: expected a delivery id, or a filter .* or --all/],
      [["replay", id, "--endpoint", "crm"], /replay: expected either delivery ids or filter flags, not both/],
      [
        ["replay", "--status", "pending"],
        /--status: expected one of succeeded, failed, cancelled, got "pending"/,
      ],
    ] as const) {
      const bad = await env().run(argv);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(message);
    }
  });
});

describe("hookline endpoints", () => {
  it("shows health per endpoint (query values redacted)", async () => {
    const views = JSON.parse((await env().run(["endpoints", "--json"])).stdout);
    const byId = Object.fromEntries(views.map((v: { id: string }) => [v.id, v]));
    expect(Object.keys(byId)).toEqual(["crm", "billing", "alerts"]);
    expect(byId.crm).toMatchObject({
      state: "active",
      signed: true,
      health: { successRate: 1, consecutiveFailures: 0 },
    });
    expect(byId.alerts.signed).toBe(false);
    expect(byId.billing).toMatchObject({
      state: "failing",
      signed: false,
      url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/billing\?tenant=\[redacted\]$/),
      destination: "http",
      lastErrorCode: expect.any(String),
      health: {
        successRate: 0,
        consecutiveFailures: 2,
        lastSuccessAt: null,
        lastFailureAt: expect.any(String),
      },
    });
    const table = await env().run(["endpoints"]);
    expect(table.stdout).toMatch(
      /│ billing\s+│ http\s+│ http:\/\/127\.0\.0\.1:\d+\/billing\?tenant=\[redacted\] │ add_credits\s+│ defaults\s+│ failing\s+│ closed\s+│ 0\.0 %\s+│ 2 /,
    );
    // The second line of billing's and alerts' endpoint cell; crm is signed.
    expect(table.stdout.match(/│ unsigned\s+│/g)).toHaveLength(2);
  });

  it("disable cancels pending deliveries (replayable); enable switches back", async () => {
    await env().live.stop(); // no worker from here on: pending deliveries stay pending
    const queued = [
      makeEvent({ code: "add_credits", endpoints: ["billing"] }),
      makeEvent({ code: "add_credits", endpoints: ["billing"] }),
    ];
    await env().store.insertEvents(queued);
    const r = await env().run(["endpoints", "disable", "billing", "--reason", "ledger migration"]);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout).toContain(
      "Endpoint billing disabled; 2 pending deliveries cancelled (replay them later).",
    );
    for (const ev of queued)
      expect((await env().store.getDelivery(ev.deliveries[0]!.id))?.status).toBe("cancelled");
    const views = JSON.parse((await env().run(["endpoints", "--json"])).stdout);
    expect(views[1]).toMatchObject({
      id: "billing",
      state: "disabled",
      disabled: true,
      disabledReason: "ledger migration",
    });
    expect((await env().run(["endpoints"])).stdout).toMatch(/disabled\s+│[\s\S]*ledger migration/);
    const dry = JSON.parse(
      (await env().run(["replay", "--status", "cancelled", "--dry-run", "--json"])).stdout,
    );
    expect(dry.matched).toBe(2);

    expect((await env().run(["endpoints", "enable", "billing"])).code).toBe(0);
    expect((await env().store.getEndpointStates()).find((s) => s.endpointId === "billing")?.disabled).toBe(
      false,
    );
  });

  it("unknown ids and a missing reason are errors", async () => {
    const unknown = await env().run(["endpoints", "enable", "nope"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(
      /HOOKLINE_NOT_FOUND: endpoint "nope": expected an existing endpoint id, found none \(configured: crm, billing, alerts\)/,
    );
    const noReason = await env().run(["endpoints", "disable", "crm"]);
    expect(noReason.code).toBe(2);
    expect(noReason.stderr).toMatch(/required option '--reason <text>' not specified/);
  });
});

describe("hookline purge and migrate", () => {
  it("purge deletes only terminal deliveries last updated before the cut-off", async () => {
    expect((await env().run(["purge", "--older-than", "1h"])).stdout).toMatch(
      /^Purged 0 deliveries last updated before /,
    );
    const cut = new Date(Date.now() + 60_000).toISOString();
    const r = JSON.parse((await env().run(["purge", "--older-than", cut, "--json"])).stdout);
    expect(r.purged).toBeGreaterThanOrEqual(8);
    const left = (await env().store.listDeliveries({}, { limit: 100 })).items;
    expect(left.length).toBeGreaterThan(0);
    expect(left.some((d) => TERMINAL_STATUSES.includes(d.status))).toBe(false);
  });

  it("migrate is idempotent", async () => {
    for (let i = 0; i < 2; i++) {
      const r = await env().run(["migrate"]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Schema is up to date \(store from .*hookline\.config\.json\)\.\n$/);
    }
  });
});

describe("hookline serve", () => {
  it("serves the API until its signal ends it", async () => {
    let out = "";
    const controller = new AbortController();
    const done = runCli(["serve", "--port", "0"], {
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: (s: string) => (out += s) },
      env: { ...env().env, HOOKLINE_ADMIN_TOKEN: "t".repeat(32) },
      cwd: env().dir,
      isTTY: false,
      signal: controller.signal,
    });
    await until(() => /listening on/.test(out), { everyMs: 10, what: "the server to listen" });
    const url = /listening on (http:\/\/\S+?)\/\n/.exec(out)![1]!;
    expect((await fetch(`${url}/api/deliveries`)).status).toBe(401);
    const ok = await fetch(`${url}/api/endpoints`, {
      headers: { authorization: `Bearer ${"t".repeat(32)}` },
    });
    expect(((await ok.json()) as { id: string }[]).map((e) => e.id)).toEqual(["crm", "billing", "alerts"]);
    controller.abort();
    expect(await done).toBe(0);
    await expect(fetch(`${url}/api`)).rejects.toThrow();
  });

  it.each([
    [["serve"], /token: expected 16 to 512 visible ASCII characters .* got none/],
    [
      ["serve", "--host", "0.0.0.0", "--no-auth"],
      /auth: expected true \(a token\) when host "0.0.0.0" is not a loopback address/,
    ],
    [["serve", "--port", "99999"], /--port: expected an integer from 0 to 65535, got "99999"/],
    [["serve", "--max-page-size", "1e9"], /--max-page-size: expected an integer from 1 to 1000, got "1e9"/],
  ])("refuses to start: %j", async (argv, message) => {
    const r = await env().run(argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});
