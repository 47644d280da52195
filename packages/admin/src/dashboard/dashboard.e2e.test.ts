import { existsSync, mkdirSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { resolveEndpoints } from "@hookline/core";
import { makeEvent } from "@hookline/core/testing";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { insertHistory } from "../__fixtures__/history.js";
import {
  BILLING_API_KEY,
  HOSTILE_BODY,
  type LiveHookline,
  startLiveHookline,
  testEndpoints,
} from "../__fixtures__/live-hookline.js";
import { tempSqliteStore } from "../__fixtures__/sqlite-store.js";
import { type AdminServer, createAdminServer } from "../index.js";
import {
  browserSuite,
  browserSuiteName,
  dashboardReady,
  filterDeliveries,
  launchChromium,
} from "./__fixtures__/chromium.js";

// Saved on every run for inspection; docs/dashboard.png is refreshed only when asked, so a test
// run never leaves the working tree modified.
const SCREENSHOT = fileURLToPath(
  new URL(
    process.env.HOOKLINE_UPDATE_SCREENSHOT
      ? "../../../../docs/dashboard.png"
      : "../../../../.test-artifacts/dashboard.png",
    import.meta.url,
  ),
);
const TOKEN = "dashboard-e2e-token-0123456789abcdef";

browserSuite(browserSuiteName("dashboard in headless Chromium"), () => {
  let db: Awaited<ReturnType<typeof tempSqliteStore>>;
  let live: LiveHookline;
  let server: AdminServer;
  let url: string;
  let browser: Browser;
  const foreign: string[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
    db = await tempSqliteStore();
    // History first: ids are time-ordered, so the live deliveries are the newest rows, as in real use.
    await insertHistory(db.store, new Date());
    live = await startLiveHookline(db.file, db.store);
    await live.emitRounds(4);
    const endpoints = resolveEndpoints(testEndpoints(live.receiver.baseUrl), {
      knownCodes: ["add_credits", "post_code_change", "user_credits_zero"],
    });
    server = createAdminServer({ store: db.store, endpoints, token: TOKEN, port: 0 });
    url = await server.listen();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await live?.stop();
    await db?.cleanup();
  });

  async function open(path = `/#token=${TOKEN}`, viewport = { width: 1440, height: 1000 }): Promise<Page> {
    const page = await browser.newPage({ viewport });
    page.on("request", (r) => {
      if (!r.url().startsWith(`${url}/`) && !r.url().startsWith("data:")) foreign.push(r.url());
    });
    await page.goto(url + path);
    return page;
  }
  const ready = dashboardReady;
  const rows = (page: Page) => page.locator("#deliveries tbody tr[data-id]");
  const filter = filterDeliveries;

  it("signs in from the link, then shows charts, endpoint health and the deliveries table", async () => {
    const page = await open();
    await ready(page);
    expect(page.url()).toBe(`${url}/`); // the token left the address bar
    expect(await page.locator("#chart-volume rect.bar").count()).toBeGreaterThan(24);
    expect(await page.locator("#chart-volume rect.bar-failed").count()).toBeGreaterThan(0);
    expect(await page.locator("#chart-latency path.line").count()).toBe(2);
    await expect.poll(() => page.locator("#endpoints tbody tr").count()).toBe(3);
    expect(await page.locator('#endpoints tr[data-id="billing"] td.state .badge').textContent()).toBe(
      "failing",
    );
    expect(await page.locator('#endpoints tr[data-id="billing"] .unsigned').textContent()).toBe("unsigned");
    expect(await page.locator('#endpoints tr[data-id="crm"] .unsigned').count()).toBe(0);
    expect(await rows(page).count()).toBe(25);
    expect(await page.locator("#deliveries .badge-failed").count()).toBeGreaterThan(0);
    expect(await page.locator("#deliveries .badge-succeeded").count()).toBeGreaterThan(0);
    expect(await page.isEnabled("#older")).toBe(true);
    await page.click("#older");
    await expect.poll(() => page.locator("#page-info").textContent()).toBe("page 2");
    await page.close();
  });

  it("filters the table, and shows the API's message for a bad filter", async () => {
    const page = await open();
    await ready(page);
    await filter(page, { status: "failed" });
    const badges = await page.locator("#deliveries tbody .badge").allTextContents();
    expect(badges.length).toBeGreaterThan(0);
    expect(new Set(badges)).toEqual(new Set(["failed"]));
    await filter(page, { endpoint: "billing", since: "1h" });
    expect(await rows(page).count()).toBe(4);
    await filter(page, { since: "last week" });
    await expect.poll(() => page.locator("#error").textContent()).toMatch(/since: expected an ISO 8601 date/);
    await page.close();
  });

  it("opens a delivery with every attempt, redacted, and replays it", async () => {
    const page = await open();
    await ready(page);
    await filter(page, { endpoint: "billing", since: "1h" });
    const id = (await rows(page).first().getAttribute("data-id"))!;
    await rows(page).first().click();
    await page.waitForSelector("#detail:not([hidden]) .attempt");
    const detail = page.locator("#detail");
    expect(await detail.locator(".attempt").count()).toBe(1);
    expect(await detail.locator("pre.response-body").textContent()).toBe('{"error":"ledger offline"}');
    expect(await detail.textContent()).toContain("authorization[redacted]");
    expect(await detail.locator(".attempt .unsigned").textContent()).toBe("unsigned (no webhook-signature)");
    expect(await page.content()).not.toContain(BILLING_API_KEY);
    const before = live.receiver.requests.length;
    await page.click("#replay");
    await expect
      .poll(() => detail.locator(".note").textContent())
      .toMatch(/^Requeued: a running Hookline worker/);
    await live.receiver.waitFor(before + 1);
    await live.settle([id]);
    await rows(page).first().click();
    await expect.poll(() => detail.locator(".attempt").count()).toBe(2);
    await page.close();
  });

  it("shows hostile receiver answers as text, never as markup", async () => {
    const page = await open();
    await ready(page);
    await filter(page, { endpoint: "alerts", since: "1h" });
    await rows(page).first().click();
    await page.waitForSelector("#detail:not([hidden]) pre.response-body");
    expect(await page.locator("#detail pre.response-body").textContent()).toBe(HOSTILE_BODY);
    expect(await page.locator("#detail img, #detail script, #detail b").count()).toBe(0);
    // Evaluated in the page: globalThis there is the window the hostile markup would have written to.
    expect(await page.evaluate(() => (globalThis as { __xss?: number }).__xss)).toBeUndefined();
    await page.close();
  });

  it("disables an endpoint with a reason and enables it again", async () => {
    const page = await open();
    await ready(page);
    page.once("dialog", (d) => void d.accept("maintenance window"));
    await page.click('#endpoints button[data-endpoint="alerts"]');
    const row = page.locator('#endpoints tr[data-id="alerts"]');
    await expect.poll(() => row.locator("td.state .badge").textContent()).toBe("disabled");
    expect(await row.textContent()).toContain("maintenance window");
    expect((await db.store.getEndpointStates()).find((s) => s.endpointId === "alerts")).toMatchObject({
      disabled: true,
      disabledReason: "maintenance window",
    });
    await page.click('#endpoints button[data-endpoint="alerts"]');
    await expect.poll(() => row.locator("td.state .badge").textContent()).toBe("active");
    await page.close();
  });

  it("asks for the token when it has none, and refuses a wrong one", async () => {
    const page = await open("/");
    await page.waitForSelector("#auth:not([hidden])");
    expect(await page.isHidden("#app")).toBe(true);
    await page.fill("#auth-token", "wrong-token-0123456789");
    await page.click("#auth button");
    await expect.poll(() => page.locator("#auth-message").textContent()).toMatch(/expected the admin token/);
    await page.fill("#auth-token", TOKEN);
    await page.click("#auth button");
    await ready(page);
    expect(await rows(page).count()).toBe(25);
    await page.close();
  });

  it("loads nothing from anywhere but the admin server; saves the README screenshot", async () => {
    const page = await open(`/#token=${TOKEN}`, { width: 1600, height: 1000 });
    await ready(page);
    await filter(page, {});
    await page.locator("#deliveries tbody tr", { hasText: "billing" }).first().click();
    await page.waitForSelector("#detail:not([hidden]) .attempt");
    await page.mouse.move(0, 0); // no hover highlight in the picture
    mkdirSync(dirname(SCREENSHOT), { recursive: true });
    rmSync(SCREENSHOT, { force: true });
    await page.screenshot({ path: SCREENSHOT });
    expect(existsSync(SCREENSHOT)).toBe(true);
    expect(foreign).toEqual([]);
    await page.close();
  });

  it("lists an endpoint that is not in the config with its pending and due backlog", async () => {
    const oldest = new Date(Date.now() - 60 * 60_000);
    await db.store.insertEvents([
      makeEvent({ code: "add_credits", endpoints: ["legacy"], createdAt: oldest }),
      makeEvent({ code: "add_credits", endpoints: ["legacy"] }),
    ]);
    // Both became due when stored; the page's clock runs 1 h 35 min past the earlier one.
    const dueAt = (await db.store.backlog()).find((b) => b.endpointId === "legacy")!.oldestDueAt!;
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    await page.clock.setFixedTime(new Date(dueAt.getTime() + 95 * 60_000 + 20_000));
    await page.goto(`${url}/#token=${TOKEN}`);
    await ready(page);
    const row = page.locator('#endpoints tr[data-id="legacy"]');
    await expect.poll(() => row.count()).toBe(1);
    const cells = await row.locator("td").allTextContents();
    expect(cells[0]).toBe("legacy(not in config)");
    expect(cells[7]).toBe(`2since ${oldest.toISOString().slice(0, 19).replace("T", " ")}`);
    expect(cells.slice(8, 10)).toEqual(["2", "1 h 35 min"]);
    expect(await row.locator("td.oldest-due").getAttribute("title")).toBe(
      `due since ${dueAt.toISOString().slice(0, 19).replace("T", " ")} UTC`,
    );
    // Nothing waits for crm: its worker sent everything.
    const crm = await page.locator('#endpoints tr[data-id="crm"] td').allTextContents();
    expect(cells.length).toBe(crm.length);
    expect(crm.slice(7, 10)).toEqual(["0", "0", "-"]);
    await page.close();
  });

  it("shows the trace id of a traced emit in the delivery detail", async () => {
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const traceContext = { traceparent: `00-${traceId}-00f067aa0ba902b7-01` };
    await db.store.insertEvents([
      { ...makeEvent({ code: "add_credits", endpoints: ["legacy"], subject: "traced" }), traceContext },
    ]);
    const page = await open();
    await ready(page);
    await filter(page, { subject: "traced" });
    await rows(page).first().click();
    await page.waitForSelector("#detail:not([hidden])");
    expect(await page.locator('#detail dt:text-is("trace") + dd').textContent()).toBe(
      `${traceId} (emit span 00f067aa0ba902b7)`,
    );
    await page.close();
  });
});
