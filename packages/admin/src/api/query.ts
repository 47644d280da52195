import type { FilterInput } from "../query/parse-filter.js";
import { ApiError } from "./http.js";

/** Query parameters a route accepts: lists may repeat or use commas; singles appear once. */
export interface QuerySpec {
  readonly lists?: readonly string[];
  readonly singles?: readonly string[];
}

export type QueryValues = FilterInput & Readonly<Record<string, string | readonly string[] | undefined>>;

/** Parameters as given, refusing unknown and repeated-single ones so typos never pass silently. */
export function readQuery(params: URLSearchParams, spec: QuerySpec): QueryValues {
  const lists = new Set(spec.lists ?? []);
  const singles = new Set(spec.singles ?? []);
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key);
    if (lists.has(key)) out[key] = values;
    else if (singles.has(key)) {
      if (values.length > 1)
        throw new ApiError(
          400,
          "HOOKLINE_INVALID_OPTION",
          `${key}: expected one value, got ${values.length}`,
        );
      out[key] = values[0]!;
    } else {
      const known = [...lists, ...singles];
      throw new ApiError(
        400,
        "HOOKLINE_INVALID_OPTION",
        `${JSON.stringify(key)}: expected a known parameter (${known.join(", ") || "none"})`,
      );
    }
  }
  return out as QueryValues;
}

/** A single string parameter, if given. */
export function single(q: QueryValues, key: string): string | undefined {
  const v = q[key];
  return typeof v === "string" ? v : undefined;
}
