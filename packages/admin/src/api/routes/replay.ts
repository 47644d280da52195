import { TERMINAL_STATUSES } from "@hookline/core";
import { invalidOption } from "../../errors.js";
import { executeReplay, planReplay } from "../../ops/replay.js";
import { isNarrowed, parseDeliveryFilter } from "../../query/parse-filter.js";
import { bodyReader } from "../body.js";
import type { ApiDeps } from "../deps.js";
import { readJsonBody } from "../http.js";
import type { Route } from "../router.js";

const FIELDS = ["status", "event", "endpoint", "subject", "since", "until", "all", "dryRun"];
const name = (field: string) => `body.${field}`;

/** Bulk replay by filter: same filters as GET /api/deliveries, over terminal statuses only. */
export function replayRoutes({ store, options }: ApiDeps): Route[] {
  return [
    {
      method: "POST",
      path: "/api/replay",
      handle: async ({ req }) => {
        const b = bodyReader(await readJsonBody(req), FIELDS);
        const input = {
          status: b.list("status"),
          event: b.list("event"),
          endpoint: b.list("endpoint"),
          subject: b.string("subject"),
          since: b.string("since"),
          until: b.string("until"),
        };
        const filter = parseDeliveryFilter(input, name, options.now(), TERMINAL_STATUSES);
        if (!isNarrowed(filter) && !b.bool("all"))
          throw invalidOption(
            "body",
            "at least one filter (status, event, endpoint, subject, since, until) or all: true",
          );
        const plan = await planReplay(store, filter);
        const summary = {
          matched: plan.ids.length,
          byStatus: plan.byStatus,
          byEndpoint: plan.byEndpoint,
          superseded: plan.superseded,
        };
        if (b.bool("dryRun")) return { dryRun: true, ...summary };
        return { dryRun: false, ...summary, ...(await executeReplay(store, plan.ids)) };
      },
    },
  ];
}
