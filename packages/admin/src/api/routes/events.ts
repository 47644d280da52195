import { readEvent } from "../../ops/records.js";
import { parseEventFilter } from "../../query/parse-filter.js";
import { parseCursor, parseLimit } from "../../query/parse-limit.js";
import { type ApiDeps, param } from "../deps.js";
import { readQuery, single } from "../query.js";
import type { Route } from "../router.js";

export function eventRoutes({ store, options }: ApiDeps): Route[] {
  return [
    {
      method: "GET",
      path: "/api/events",
      handle: ({ url }) => {
        const q = readQuery(url.searchParams, {
          lists: ["event"],
          singles: ["subject", "since", "until", "limit", "cursor"],
        });
        const filter = parseEventFilter(q, param, options.now());
        const limit = parseLimit("limit", single(q, "limit"), options.defaultPageSize, options.maxPageSize);
        const cursor = parseCursor("cursor", single(q, "cursor")) ?? null;
        return store.listEvents(filter, { limit, cursor });
      },
    },
    {
      method: "GET",
      path: "/api/events/:id",
      handle: ({ url, params }) => {
        readQuery(url.searchParams, {});
        return readEvent(store, params.id!, "id");
      },
    },
  ];
}
