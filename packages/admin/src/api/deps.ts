import type { DeliveryStore } from "@hookline/core";
import type { ArgName } from "../query/parse-filter.js";
import type { ResolvedApiOptions } from "./options.js";

/** What every route needs. */
export interface ApiDeps {
  readonly store: DeliveryStore;
  readonly options: ResolvedApiOptions;
}

/** API arguments are named as in the query string: `status`. */
export const param: ArgName = (field) => field;
