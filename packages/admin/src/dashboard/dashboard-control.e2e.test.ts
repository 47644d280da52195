import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type ControlLog, controlLog } from "../__fixtures__/control-log.js";
import { type AdminServer, createAdminServer } from "../index.js";
import {
  browserSuite,
  browserSuiteName,
  dashboardReady,
  filterDeliveries,
  launchChromium,
} from "./__fixtures__/chromium.js";

const TOKEN = "dashboard-control-token-0123456789abcdef";

// A log written the way workers with these endpoints' controls write it (see control-log.ts).
browserSuite(browserSuiteName("delivery control in the dashboard (headless Chromium)"), () => {
  let browser: Browser;
  let log: ControlLog;
  let server: AdminServer;
  let url: string;
  const clock = (d: Date) => `${d.toISOString().slice(11, 19)} UTC`;

  beforeAll(async () => {
    browser = await launchChromium();
    log = await controlLog();
    server = createAdminServer({ store: log.store, endpoints: log.endpoints, token: TOKEN, port: 0 });
    url = await server.listen();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await log?.cleanup();
  });

  async function open(): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    await page.goto(`${url}/#token=${TOKEN}`);
    return page;
  }

  it("shows each endpoint's circuit badge and configured control", async () => {
    const page = await open();
    await dashboardReady(page);
    const circuit = (id: string) => page.locator(`#endpoints tr[data-id="${id}"] td.circuit`);
    const controls = (id: string) =>
      page.locator(`#endpoints tr[data-id="${id}"] .control`).allTextContents();
    await expect.poll(() => circuit("ledger").count()).toBe(1);
    expect(await circuit("ledger").locator(".badge").textContent()).toBe("open");
    expect(await circuit("ledger").locator(".circuit-line").textContent()).toBe(
      `until ${clock(log.states.ledger.openUntil!)}`,
    );
    expect(await circuit("search").locator(".badge").textContent()).toBe("half-open");
    expect(await circuit("search").locator(".circuit-line").textContent()).toBe("probing");
    expect(await circuit("partner").locator(".badge").textContent()).toBe("closed");
    expect(await circuit("partner").locator(".paused").textContent()).toBe(
      `paused until ${clock(log.states.partner.pausedUntil!)}`,
    );
    expect(await circuit("crm").textContent()).toBe("closed");
    expect(await controls("crm")).toEqual(["ordered by subject"]);
    expect(await controls("ledger")).toEqual(["breaker: 2 failures, cool-down 1 h–1 h"]);
    // The default breaker is not listed.
    expect(await controls("partner")).toEqual(["rate 0.5/s, burst 3", "max 4 at once"]);
    expect(await controls("quiet")).toEqual(["no supersede", "no breaker"]);
    await page.close();
  });

  it("says a cool-down is over once the page's clock passes it: a probe is due", async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    const after = Math.max(log.states.ledger.openUntil!.getTime(), log.states.partner.pausedUntil!.getTime());
    await page.clock.setFixedTime(new Date(after + 1000));
    await page.goto(`${url}/#token=${TOKEN}`);
    await dashboardReady(page);
    const ledger = page.locator('#endpoints tr[data-id="ledger"] td.circuit');
    await expect.poll(() => ledger.locator(".circuit-line").textContent()).toBe("probe due");
    expect(await ledger.locator(".badge").textContent()).toBe("open");
    await page.close();
  });

  it("says which earlier delivery a held one waits for, and opens it", async () => {
    const { first, second } = log.ordered;
    const page = await open();
    await dashboardReady(page);
    await filterDeliveries(page, { subject: "s-ordered" });
    await page.click(`#deliveries tr[data-id="${second}"]`);
    await page.waitForSelector("#detail:not([hidden])");
    const waiting = page.locator('#detail dt:text-is("waiting for") + dd');
    expect(await waiting.textContent()).toBe(first);
    await waiting.locator("a").click();
    await expect.poll(() => page.locator("#detail h2 .mono").textContent()).toBe(first);
    expect(await page.locator('#detail dt:text-is("waiting for")').count()).toBe(0);
    await page.close();
  });

  it("shows a superseded delivery's code in the table and the detail, and replays it", async () => {
    const { older } = log.superseded;
    const page = await open();
    await dashboardReady(page);
    await filterDeliveries(page, { subject: "s-state" });
    const row = page.locator(`#deliveries tr[data-id="${older}"]`);
    expect(await row.locator(".badge").textContent()).toBe("cancelled");
    expect(await row.textContent()).toContain("HOOKLINE_SUPERSEDED");
    await row.click();
    await page.waitForSelector("#detail:not([hidden])");
    expect(await page.locator('#detail dt:text-is("last error") + dd').textContent()).toBe(
      "HOOKLINE_SUPERSEDED (a newer state of the subject replaced it)",
    );
    await page.click("#replay");
    await expect.poll(() => page.locator("#detail .note").textContent()).toMatch(/^Requeued/);
    expect(await log.store.getDelivery(older)).toMatchObject({ status: "pending", replays: 1 });
    await page.close();
  });
});
