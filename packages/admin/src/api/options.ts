import {
  assertKnownKeys,
  checkLogger,
  type DeliveryStore,
  HooklineError,
  keysOf,
  type Logger,
  type ResolvedEndpoint,
  silentLogger,
} from "@hookline/core";
import { isDeliveryStore } from "../config/is-delivery-store.js";
import { invalidOption } from "../errors.js";

/** Options of adminApi(). */
export interface AdminApiOptions {
  /**
   * Bearer token every `/api` request must carry (`authorization: Bearer <token>`); 16 to 512
   * visible ASCII characters. Required unless `auth` is false.
   */
  readonly token?: string;
  /**
   * Require the token. Only createAdminServer bound to a loopback address may turn this off;
   * then requests must also name a loopback host (defeats DNS rebinding).
   * @default true
   */
  readonly auth?: boolean;
  /** The configured endpoints, shown with their health and switchable. @default [] */
  readonly endpoints?: readonly ResolvedEndpoint[];
  /** Largest `limit` a list request may ask for; more is a 400. @default 200 */
  readonly maxPageSize?: number;
  /** `limit` when a list request gives none. @default 50, or maxPageSize when that is less */
  readonly defaultPageSize?: number;
  /** Serve the dashboard page at `/`. @default true */
  readonly dashboard?: boolean;
  /** Time source for relative times (`since=24h`). @default () => new Date() */
  readonly now?: () => Date;
  /**
   * Where 5xx failures are reported (clients only see that one happened): pino as it is, or any
   * core `Logger` (methods take `(fields, message)`). @default silentLogger
   */
  readonly logger?: Logger;
}

/** Validated, frozen adminApi options. */
export interface ResolvedApiOptions {
  readonly token: string | null;
  readonly endpoints: readonly ResolvedEndpoint[];
  readonly maxPageSize: number;
  readonly defaultPageSize: number;
  readonly dashboard: boolean;
  readonly now: () => Date;
  readonly logger: Logger;
}

/** Every key of AdminApiOptions. */
export const ADMIN_API_OPTION_KEYS = keysOf<AdminApiOptions>({
  token: true,
  auth: true,
  endpoints: true,
  maxPageSize: true,
  defaultPageSize: true,
  dashboard: true,
  now: true,
  logger: true,
});
const TOKEN = /^[\x21-\x7e]{16,512}$/;
/** The knex store's own page cap; asking a store for more is an error there. */
export const STORE_PAGE_CAP = 1000;

function intIn(name: string, v: unknown, fallback: number, max: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1 || v > max)
    throw invalidOption(name, `an integer from 1 to ${max}`, v);
  return v;
}

export function checkStore(store: unknown): DeliveryStore {
  if (!isDeliveryStore(store)) throw invalidOption("store", "a DeliveryStore", store);
  return store;
}

/**
 * @param extraKeys - keys the caller took out of `input` itself (createAdminServer's store, host,
 *   port): listed as known, so a typo of one of them is suggested too
 * @param where - names the options in errors
 */
export function resolveApiOptions(
  input: AdminApiOptions,
  extraKeys: readonly string[] = [],
  where = "adminApi options",
): ResolvedApiOptions {
  // Checked as unknown: only the throw matters here, the declared type stays.
  assertKnownKeys(input as unknown, [...ADMIN_API_OPTION_KEYS, ...extraKeys], where);
  const auth = input.auth ?? true;
  if (typeof auth !== "boolean") throw invalidOption("auth", "a boolean", auth);
  let token: string | null = null;
  if (auth) {
    if (typeof input.token !== "string" || !TOKEN.test(input.token)) {
      // Never echo a secret, not even a malformed one.
      const t = input.token;
      const got =
        t === undefined ? "none" : typeof t === "string" ? `a string of ${t.length} characters` : typeof t;
      throw new HooklineError(
        "HOOKLINE_INVALID_OPTION",
        `token: expected 16 to 512 visible ASCII characters (e.g. from HOOKLINE_ADMIN_TOKEN), or auth: false on loopback; got ${got}`,
      );
    }
    token = input.token;
  } else if (input.token !== undefined) throw invalidOption("token", "no token when auth is false");
  const endpoints = input.endpoints ?? [];
  if (!Array.isArray(endpoints))
    throw invalidOption("endpoints", "an array of resolved endpoints", endpoints);
  const maxPageSize = intIn("maxPageSize", input.maxPageSize, 200, STORE_PAGE_CAP);
  const defaultPageSize = intIn(
    "defaultPageSize",
    input.defaultPageSize,
    Math.min(50, maxPageSize),
    maxPageSize,
  );
  if (input.dashboard !== undefined && typeof input.dashboard !== "boolean")
    throw invalidOption("dashboard", "a boolean", input.dashboard);
  if (input.logger !== undefined) checkLogger("logger", input.logger);
  if (input.now !== undefined && typeof input.now !== "function")
    throw invalidOption("now", "a function", input.now);
  return Object.freeze({
    token,
    endpoints: Object.freeze([...endpoints]),
    maxPageSize,
    defaultPageSize,
    dashboard: input.dashboard ?? true,
    now: input.now ?? (() => new Date()),
    logger: input.logger ?? silentLogger,
  });
}
