import { invalidOption } from "../../errors.js";
import { readDelivery, showHeadersOf } from "../../ops/records.js";
import { replayOne } from "../../ops/replay.js";
import { parseDeliveryFilter } from "../../query/parse-filter.js";
import { parseCursor, parseLimit } from "../../query/parse-limit.js";
import { type ApiDeps, param } from "../deps.js";
import { readJsonBody } from "../http.js";
import { readQuery, single } from "../query.js";
import type { Route } from "../router.js";

export const DELIVERY_QUERY = {
  lists: ["status", "event", "endpoint"],
  singles: ["subject", "since", "until", "limit", "cursor"],
} as const;

export function deliveryRoutes({ store, options }: ApiDeps): Route[] {
  return [
    {
      method: "GET",
      path: "/api/deliveries",
      handle: ({ url }) => {
        const q = readQuery(url.searchParams, DELIVERY_QUERY);
        const filter = parseDeliveryFilter(q, param, options.now());
        const limit = parseLimit("limit", single(q, "limit"), options.defaultPageSize, options.maxPageSize);
        const cursor = parseCursor("cursor", single(q, "cursor")) ?? null;
        return store.listDeliveries(filter, { limit, cursor });
      },
    },
    {
      method: "GET",
      path: "/api/deliveries/:id",
      handle: ({ url, params }) => {
        readQuery(url.searchParams, {});
        return readDelivery(store, params.id!, "id", showHeadersOf(options.endpoints));
      },
    },
    {
      method: "POST",
      path: "/api/deliveries/:id/replay",
      handle: async ({ req, params }) => {
        const body = await readJsonBody(req);
        const extra = Object.keys(body)[0];
        if (extra !== undefined) throw invalidOption(`body.${extra}`, "an empty body or {}");
        const r = await replayOne(store, params.id!, "id");
        return { deliveryId: params.id, ...r };
      },
    },
  ];
}
