import { parseDeliveryFilter, parseTimeRange } from "../../query/parse-filter.js";
import { parseLimit } from "../../query/parse-limit.js";
import { type ApiDeps, param } from "../deps.js";
import { readQuery, single } from "../query.js";
import type { Route } from "../router.js";

const DAY = 86_400_000;
export const MAX_BUCKETS = 500;
const DEFAULT_BUCKETS = 48;

const MIN = 60_000;
const NICE = [
  1_000,
  5_000,
  15_000,
  30_000,
  MIN,
  5 * MIN,
  15 * MIN,
  30 * MIN,
  60 * MIN,
  180 * MIN,
  360 * MIN,
  720 * MIN,
  DAY,
];

/** The smallest round bucket size of at least `ms`; whole days beyond that. */
function niceBucket(ms: number): number {
  return NICE.find((n) => n >= ms) ?? Math.ceil(ms / DAY) * DAY;
}

/** Aggregates: stats per (event code, endpoint), and the timeline behind the dashboard's charts. */
export function insightRoutes({ store, options }: ApiDeps): Route[] {
  return [
    {
      method: "GET",
      path: "/api/stats",
      handle: async ({ url }) => {
        const q = readQuery(url.searchParams, { lists: ["event", "endpoint"], singles: ["since", "until"] });
        const range = parseTimeRange(q, param, options.now(), DAY);
        const f = parseDeliveryFilter({ event: q.event, endpoint: q.endpoint }, param, options.now());
        const rows = (await store.stats(range)).filter(
          (r) =>
            (!f.eventCode || f.eventCode.includes(r.eventCode)) &&
            (!f.endpointId || f.endpointId.includes(r.endpointId)),
        );
        return { ...range, rows };
      },
    },
    {
      method: "GET",
      path: "/api/timeline",
      handle: async ({ url }) => {
        const q = readQuery(url.searchParams, { singles: ["since", "until", "buckets"] });
        const range = parseTimeRange(q, param, options.now(), DAY);
        const wanted = parseLimit("buckets", single(q, "buckets"), DEFAULT_BUCKETS, MAX_BUCKETS);
        const until = range.until.getTime();
        const bucketMs = niceBucket((until - range.since.getTime()) / wanted);
        // Buckets start on round times (…:00, …:30) so chart labels read well; the first may reach back.
        const since = new Date(Math.floor(range.since.getTime() / bucketMs) * bucketMs);
        return {
          since,
          until: range.until,
          bucketMs,
          buckets: await store.timeline({ since, until: range.until }, bucketMs),
        };
      },
    },
  ];
}
