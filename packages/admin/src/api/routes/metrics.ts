import { prometheusText } from "../../metrics/prometheus-text.js";
import { metricsSnapshot } from "../../metrics/snapshot.js";
import type { ApiDeps } from "../deps.js";
import { send } from "../http.js";
import { readQuery } from "../query.js";
import type { Route } from "../router.js";

/**
 * GET /metrics: Prometheus text, read from the store at scrape time. Behind the token like the
 * API; a store failure is a 503 (a failed scrape), never a page of zeros that reads as all clear.
 */
export function metricsRoutes({ store, options }: ApiDeps): Route[] {
  return [
    {
      method: "GET",
      path: "/metrics",
      handle: async ({ url, res }) => {
        readQuery(url.searchParams, {});
        const { contentType, body } = await prometheusText(
          await metricsSnapshot(store, options.endpoints, options.now()),
        );
        send(res, 200, body, contentType);
        return undefined;
      },
    },
  ];
}
