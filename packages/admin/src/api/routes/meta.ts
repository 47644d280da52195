import { DELIVERY_STATUSES, TERMINAL_STATUSES } from "@hookline/core";
import type { ApiDeps } from "../deps.js";
import type { Route } from "../router.js";

/** GET /api: what the dashboard needs to build its filters, and the route list. */
export function metaRoute({ options }: ApiDeps, routes: () => readonly Route[]): Route {
  return {
    method: "GET",
    path: "/api",
    handle: () => {
      const codes = new Set<string>();
      for (const e of options.endpoints) if (e.events !== "*") for (const c of e.events) codes.add(c);
      return {
        statuses: DELIVERY_STATUSES,
        replayableStatuses: TERMINAL_STATUSES,
        endpoints: options.endpoints.map((e) => e.id),
        eventCodes: [...codes].sort(),
        maxPageSize: options.maxPageSize,
        defaultPageSize: options.defaultPageSize,
        routes: routes()
          .filter((r) => !r.public)
          .map((r) => `${r.method} ${r.path}`),
      };
    },
  };
}
