import { hasControls } from "../../cli/format/text.js";
import { invalidOption } from "../../errors.js";
import { endpointOverview, switchEndpoint } from "../../ops/endpoints.js";
import { parseTimeRange } from "../../query/parse-filter.js";
import { bodyReader } from "../body.js";
import { type ApiDeps, param } from "../deps.js";
import { readJsonBody } from "../http.js";
import { readQuery } from "../query.js";
import type { Route } from "../router.js";

const WEEK = 7 * 86_400_000;
const MAX_REASON = 500;

export function endpointRoutes({ store, options }: ApiDeps): Route[] {
  return [
    {
      method: "GET",
      path: "/api/endpoints",
      handle: ({ url }) => {
        const q = readQuery(url.searchParams, { singles: ["since", "until"] });
        const now = options.now();
        return endpointOverview(store, options.endpoints, parseTimeRange(q, param, now, WEEK), now);
      },
    },
    {
      method: "POST",
      path: "/api/endpoints/:id/disable",
      handle: async ({ req, params }) => {
        const reason = bodyReader(await readJsonBody(req), ["reason"])
          .string("reason")
          ?.trim();
        // Shown by every admin tool later: a terminal must not get to run what it holds.
        if (!reason || reason.length > MAX_REASON || hasControls(reason))
          throw invalidOption(
            "body.reason",
            `a reason of 1 to ${MAX_REASON} characters without control characters`,
            reason,
          );
        const r = await switchEndpoint(store, options.endpoints, params.id!, true, reason);
        return { endpointId: params.id, disabled: true, ...r };
      },
    },
    {
      method: "POST",
      path: "/api/endpoints/:id/enable",
      handle: async ({ req, params }) => {
        bodyReader(await readJsonBody(req), []);
        await switchEndpoint(store, options.endpoints, params.id!, false);
        return { endpointId: params.id, disabled: false };
      },
    },
  ];
}
