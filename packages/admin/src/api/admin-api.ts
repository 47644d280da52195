import type { IncomingMessage, ServerResponse } from "node:http";
import type { DeliveryStore } from "@hookline/core";
import { bearerCheck, loopbackHostCheck } from "./auth.js";
import type { ApiDeps } from "./deps.js";
import { ApiError, ClientAbort, sendError, sendJson, toApiError } from "./http.js";
import { type AdminApiOptions, checkStore, type ResolvedApiOptions, resolveApiOptions } from "./options.js";
import { createRouter, type Route } from "./router.js";
import { dashboardRoutes } from "./routes/dashboard.js";
import { deliveryRoutes } from "./routes/deliveries.js";
import { endpointRoutes } from "./routes/endpoints.js";
import { eventRoutes } from "./routes/events.js";
import { insightRoutes } from "./routes/insights.js";
import { metaRoute } from "./routes/meta.js";
import { metricsRoutes } from "./routes/metrics.js";
import { replayRoutes } from "./routes/replay.js";

/** A node:http request listener. */
export type AdminRequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** A cross-site page may send a request but never with our Origin; refuse any other one. */
function sameOrigin(req: IncomingMessage): void {
  const origin = req.headers.origin;
  if (origin === undefined || origin === "null") return;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    host = "";
  }
  if (host !== req.headers.host)
    throw new ApiError(
      403,
      "HOOKLINE_UNAUTHORIZED",
      `origin: expected this server's own origin, got ${origin}`,
    );
}

function routesFor(deps: ApiDeps): Route[] {
  const routes: Route[] = [
    ...(deps.options.dashboard ? dashboardRoutes() : []),
    ...deliveryRoutes(deps),
    ...replayRoutes(deps),
    ...eventRoutes(deps),
    ...insightRoutes(deps),
    ...endpointRoutes(deps),
    ...metricsRoutes(deps),
  ];
  routes.push(metaRoute(deps, () => routes));
  return routes;
}

/** Build the handler from already-resolved options (createAdminServer validates once, then calls this). */
export function handlerFor(store: DeliveryStore, options: ResolvedApiOptions): AdminRequestHandler {
  const route = createRouter(routesFor({ store, options }));
  const authorize = options.token === null ? loopbackHostCheck : bearerCheck(options.token);
  return async (req, res) => {
    try {
      const url = new URL(req.url ?? "/", "http://admin.invalid");
      const { route: r, params } = route(req.method ?? "GET", url.pathname);
      if (options.token === null || !r.public) authorize(req);
      if (r.method === "POST") sameOrigin(req);
      const result = await r.handle({ req, res, url, params });
      if (result !== undefined) sendJson(res, 200, result);
    } catch (err) {
      if (err instanceof ClientAbort) {
        options.logger.warn(
          { method: req.method, path: req.url?.split("?")[0], error: err.message },
          "admin API client aborted its request",
        );
        res.destroy();
        return;
      }
      const answer = toApiError(err);
      if (answer.status >= 500) {
        options.logger.error(
          {
            method: req.method,
            path: req.url?.split("?")[0],
            status: answer.status,
            error: err instanceof Error ? err.message : String(err),
            cause: err instanceof Error && err.cause instanceof Error ? err.cause.message : undefined,
          },
          "admin API request failed",
        );
      }
      if (res.headersSent) res.destroy();
      else sendError(res, answer);
    }
  };
}

/**
 * The admin JSON API (and dashboard) as a request handler for node:http, over any DeliveryStore.
 * Mount it on your own server, or use createAdminServer.
 */
export function adminApi(store: DeliveryStore, opts: AdminApiOptions = {}): AdminRequestHandler {
  return handlerFor(checkStore(store), resolveApiOptions(opts));
}
