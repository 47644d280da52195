import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { HooklineError } from "@hookline/core";
import { DASHBOARD_HTML } from "./page.js";
import { DASHBOARD_CSS } from "./styles.js";

/**
 * Everything the page may load is served by the admin itself; no inline script, no other
 * origin. style-src stays 'self': the script sets styles through CSSOM, which CSP permits.
 */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

/** One file the dashboard loads, at its path under the admin's root. */
export interface DashboardAsset {
  readonly path: string;
  readonly body: string;
  readonly type: string;
}

// The same relative path from src/dashboard and dist/dashboard: tests that run the TypeScript
// sources serve the compiled browser modules too (the test setup compiles them first).
const BROWSER_DIR = new URL("../../dist/dashboard/browser/", import.meta.url);

let cached: readonly DashboardAsset[] | undefined;

function missingBuild(cause?: unknown): HooklineError {
  return new HooklineError(
    "HOOKLINE_INTERNAL_ERROR",
    `dashboard: expected its compiled browser modules in ${fileURLToPath(BROWSER_DIR)}; build @hookline/admin (tsc -b) or set dashboard: false`,
    { cause },
  );
}

function browserModules(): DashboardAsset[] {
  let names: string[];
  try {
    names = readdirSync(BROWSER_DIR).filter((n) => n.endsWith(".js"));
  } catch (err) {
    throw missingBuild(err);
  }
  if (!names.includes("dashboard.js")) throw missingBuild();
  return names.map((n) => ({
    path: `/assets/${n}`,
    body: readFileSync(new URL(n, BROWSER_DIR), "utf8"),
    type: "text/javascript; charset=utf-8",
  }));
}

/**
 * The page, its stylesheet and its ES modules (entry assets/dashboard.js, which imports the
 * others by relative URL). Read from disk once per process, when the first server is created.
 */
export function dashboardAssets(): readonly DashboardAsset[] {
  cached ??= [
    { path: "/", body: DASHBOARD_HTML, type: "text/html; charset=utf-8" },
    { path: "/assets/dashboard.css", body: DASHBOARD_CSS, type: "text/css; charset=utf-8" },
    ...browserModules(),
  ];
  return cached;
}
