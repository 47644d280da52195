import { existsSync } from "node:fs";
import { type Browser, chromium, type Page } from "playwright-core";
import { describe } from "vitest";

const CHROMIUM = "/usr/bin/chromium";
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const missing = !existsSync(CHROMIUM);

/** In CI a missing browser is a failure (CI installs it); on a workstation the suite says why it skipped. */
export const browserSuite = missing && !process.env.CI ? describe.skip : describe;

/** The suite's name, with the reason when it is skipped. */
export const browserSuiteName = (name: string) =>
  `${name}${missing ? ` — skipped: ${CHROMIUM} missing (apt-get install -y chromium)` : ""}`;

/** Headless Debian Chromium through playwright-core; fails with the install line when it is missing. */
export async function launchChromium(): Promise<Browser> {
  if (missing) throw new Error(`${CHROMIUM} is missing: apt-get update && apt-get install -y chromium`);
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}

/** Resolves once the dashboard has loaded its data. */
export const dashboardReady = (page: Page) => page.waitForSelector("body[data-ready=true]");

/** Apply the deliveries filters (after a reset) and wait for the table to load. */
export async function filterDeliveries(page: Page, fields: Record<string, string>): Promise<void> {
  await page.click("#filters button[type=reset]");
  for (const [name, value] of Object.entries(fields)) {
    const el = page.locator(`#filters [name=${name}]`);
    if ((await el.evaluate((e) => e.tagName)) === "SELECT") await el.selectOption(value);
    else await el.fill(value);
  }
  await page.click("#filters button[type=submit]");
  await page.waitForSelector("#deliveries[aria-busy=false]");
}
