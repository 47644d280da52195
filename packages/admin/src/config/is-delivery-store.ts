import type { DeliveryStore } from "@hookline/core";

/** The store methods the admin calls; a value with all of them is taken as a DeliveryStore. */
const ADMIN_METHODS = [
  "migrate",
  "listDeliveries",
  "getDelivery",
  "listEvents",
  "getEvent",
  "stats",
  "timeline",
  "endpointHealth",
  "backlog",
  "requeue",
  "purge",
  "getEndpointStates",
  "setEndpointDisabled",
  "close",
] as const satisfies readonly (keyof DeliveryStore)[];

/** Duck-typed: stores come from other packages (and other copies of core), so instanceof cannot work. */
export function isDeliveryStore(value: unknown): value is DeliveryStore {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return ADMIN_METHODS.every((m) => typeof v[m] === "function");
}

/** Store methods missing from `value`, for error messages. */
export function missingStoreMethods(value: unknown): string[] {
  if (typeof value !== "object" || value === null) return [...ADMIN_METHODS];
  const v = value as Record<string, unknown>;
  return ADMIN_METHODS.filter((m) => typeof v[m] !== "function");
}
