import { DASHBOARD_CSP, DASHBOARD_CSS, DASHBOARD_HTML, DASHBOARD_JS } from "../../dashboard/assets.js";
import { send } from "../http.js";
import type { Route } from "../router.js";

/** The dashboard's three static files. They hold no data, so they need no token. */
export function dashboardRoutes(): Route[] {
  const asset = (path: string, body: string, type: string, extra: Record<string, string> = {}): Route => ({
    method: "GET",
    path,
    public: true,
    handle: ({ res }) => {
      send(res, 200, body, type, extra);
      return undefined;
    },
  });
  return [
    asset("/", DASHBOARD_HTML, "text/html; charset=utf-8", { "content-security-policy": DASHBOARD_CSP }),
    asset("/assets/dashboard.js", DASHBOARD_JS, "text/javascript; charset=utf-8"),
    asset("/assets/dashboard.css", DASHBOARD_CSS, "text/css; charset=utf-8"),
  ];
}
