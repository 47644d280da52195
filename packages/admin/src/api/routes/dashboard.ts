import { DASHBOARD_CSP, dashboardAssets } from "../../dashboard/assets.js";
import { send } from "../http.js";
import type { Route } from "../router.js";

/** The dashboard's static files. They hold no data, so they need no token. */
export function dashboardRoutes(): Route[] {
  return dashboardAssets().map(({ path, body, type }) => {
    const extra: Record<string, string> = path === "/" ? { "content-security-policy": DASHBOARD_CSP } : {};
    return {
      method: "GET",
      path,
      public: true,
      handle: ({ res }) => {
        send(res, 200, body, type, extra);
        return undefined;
      },
    };
  });
}
