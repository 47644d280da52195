import { CLIENT_CHARTS } from "./client-charts.js";
import { CLIENT_CORE } from "./client-core.js";
import { CLIENT_DETAIL } from "./client-detail.js";
import { CLIENT_MAIN } from "./client-main.js";
import { CLIENT_TABLES } from "./client-tables.js";

export { DASHBOARD_HTML } from "./page.js";
export { DASHBOARD_CSS } from "./styles.js";

/** The dashboard script: the parts in one strict-mode scope, so nothing leaks into window. */
export const DASHBOARD_JS = [
  "(function () {",
  "'use strict';",
  CLIENT_CORE,
  CLIENT_CHARTS,
  CLIENT_TABLES,
  CLIENT_DETAIL,
  CLIENT_MAIN,
  "})();",
  "",
].join("\n");

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
