import {
  type DeliveryStore,
  type EndpointHealth,
  type EndpointState,
  type ResolvedEndpoint,
  redactUrl,
  type TimeRange,
} from "@hookline/core";
import { notFound } from "../errors.js";
import {
  type CircuitView,
  type ControlView,
  circuitView,
  controlView,
  pausedUntil,
} from "./endpoint-control.js";

/**
 * Error codes that say the sink refuses this endpoint's login or permissions: retrying cannot fix
 * them, the configuration (credentials, vhost, permissions) must change.
 */
const CONFIG_FAULT_CODES: ReadonlySet<string> = new Set([
  "HOOKLINE_AMQP_ACCESS_REFUSED",
  "HOOKLINE_NATS_AUTHORIZATION",
]);

/** One endpoint for the admin: configuration, persisted switch and health, side by side. */
export interface EndpointView {
  readonly id: string;
  /** Query values and any userinfo redacted (core's redactUrl): query strings often carry credentials. */
  readonly url: string | null;
  /**
   * Where deliveries go, from the URL's scheme: "http" (http and https), "amqp" (amqp, amqps),
   * "nats", or the scheme itself for another sink; null when the endpoint is not in the config.
   */
  readonly destination: string | null;
  readonly description: string | null;
  readonly events: readonly string[] | "*" | null;
  /** False for an endpoint that has log entries but is no longer in the config. */
  readonly configured: boolean;
  /** False for an endpoint configured with `signing: false`; null when it is not in the config. */
  readonly signed: boolean | null;
  /** Disabled in the config file (`enabled: false`) or by a persisted switch. */
  readonly disabled: boolean;
  readonly disabledAt: Date | null;
  readonly disabledReason: string | null;
  /**
   * null when the endpoint has neither attempts nor pending deliveries. `health.pending` counts
   * its backlog: for an endpoint that is not configured here, deliveries that wait for a process
   * that configures it (no worker claims what it does not know).
   */
  readonly health: Omit<EndpointHealth, "endpointId"> | null;
  /** Pending deliveries whose next attempt is due now (`store.backlog()`): work waiting for a worker. */
  readonly due: number;
  /** The earliest next-attempt time among the due ones: how long the oldest has waited; null when none is due. */
  readonly oldestDueAt: Date | null;
  /** The error code of the latest failed delivery, read only while the endpoint is failing; else null. */
  readonly lastErrorCode: string | null;
  /**
   * active | failing (last attempt failed) | misconfigured (failing, and the sink refused the
   * login or permissions: HOOKLINE_AMQP_ACCESS_REFUSED, HOOKLINE_NATS_AUTHORIZATION) | disabled |
   * idle (no attempts)
   */
  readonly state: "active" | "failing" | "misconfigured" | "disabled" | "idle";
  /** The circuit breaker, shared by every process through the store. */
  readonly circuit: CircuitView;
  /** Claims skip the endpoint until then (it answered 429 with Retry-After); null when not paused. */
  readonly pausedUntil: Date | null;
  /** Ordering, supersede, rate limit, concurrency cap and breaker as configured; null when not in the config. */
  readonly control: ControlView | null;
}

function displayUrl(url: string): string {
  return redactUrl(url);
}

/** The destination kind of a URL: its scheme, with the secure variant folded into the plain one. */
export function destinationOf(url: string): string {
  const scheme = url.slice(0, Math.max(0, url.indexOf(":"))).toLowerCase();
  return scheme === "https" ? "http" : scheme === "amqps" ? "amqp" : scheme;
}

/** Disabled in the config file (`enabled: false`) or by a persisted switch. */
export function isEndpointDisabled(
  configured: ResolvedEndpoint | undefined,
  state: EndpointState | undefined,
): boolean {
  return Boolean(state?.disabled) || configured?.enabled === false;
}

/** The latest failed or retrying delivery's error code: what a failing endpoint last got back. */
async function lastErrorCode(store: DeliveryStore, endpointId: string): Promise<string | null> {
  const page = await store.listDeliveries(
    { endpointId: [endpointId], status: ["pending", "failed"] },
    { limit: 1 },
  );
  return page.items[0]?.lastErrorCode ?? null;
}

/**
 * Configured endpoints (in config order), then any others the log knows, with health over `range`;
 * `now` tells whether a 429 pause is still on.
 */
export async function endpointOverview(
  store: DeliveryStore,
  endpoints: readonly ResolvedEndpoint[],
  range: TimeRange,
  now: Date = new Date(),
): Promise<EndpointView[]> {
  const [health, states, backlog] = await Promise.all([
    store.endpointHealth(range),
    store.getEndpointStates(),
    store.backlog(),
  ]);
  const healthById = new Map(health.map(({ endpointId, ...h }) => [endpointId, h]));
  const stateById = new Map(states.map((s) => [s.endpointId, s]));
  const dueById = new Map(backlog.map((b) => [b.endpointId, b]));
  const configured = new Map(endpoints.map((e) => [e.id, e]));
  const ids = [...configured.keys()];
  for (const id of [...healthById.keys(), ...stateById.keys(), ...dueById.keys()].sort())
    if (!ids.includes(id)) ids.push(id);
  return Promise.all(
    ids.map(async (id): Promise<EndpointView> => {
      const ep = configured.get(id);
      const st = stateById.get(id);
      const h = healthById.get(id) ?? null;
      const disabled = isEndpointDisabled(ep, st);
      const failing = h !== null && h.consecutiveFailures > 0;
      const errorCode = failing && !disabled ? await lastErrorCode(store, id) : null;
      return {
        id,
        url: ep ? displayUrl(ep.url) : null,
        destination: ep ? destinationOf(ep.url) : null,
        description: ep?.description ?? null,
        events: ep?.events ?? null,
        configured: ep !== undefined,
        signed: ep ? ep.signed : null,
        disabled,
        disabledAt: st?.disabled ? st.disabledAt : null,
        disabledReason: st?.disabled
          ? st.disabledReason
          : ep?.enabled === false
            ? "enabled: false in the config"
            : null,
        health: h,
        due: dueById.get(id)?.due ?? 0,
        oldestDueAt: dueById.get(id)?.oldestDueAt ?? null,
        lastErrorCode: errorCode,
        state: disabled
          ? "disabled"
          : !h || (h.lastSuccessAt === null && h.lastFailureAt === null)
            ? "idle"
            : failing
              ? errorCode !== null && CONFIG_FAULT_CODES.has(errorCode)
                ? "misconfigured"
                : "failing"
              : "active",
        circuit: circuitView(st),
        pausedUntil: pausedUntil(st, now),
        control: ep ? controlView(ep) : null,
      };
    }),
  );
}

/**
 * Disable (its pending deliveries become cancelled, and stay replayable) or re-enable an
 * endpoint. The id must be configured or already known to the store, so a typo is an error
 * rather than a switch for an endpoint that does not exist.
 */
export async function switchEndpoint(
  store: DeliveryStore,
  endpoints: readonly ResolvedEndpoint[],
  id: string,
  disabled: boolean,
  reason?: string,
): Promise<{ readonly cancelled: number }> {
  const known = new Set(endpoints.map((e) => e.id));
  if (!known.has(id)) {
    const states = await store.getEndpointStates();
    if (!states.some((s) => s.endpointId === id)) {
      throw notFound("endpoint", id, `configured: ${[...known].join(", ") || "none"}`);
    }
  }
  return store.setEndpointDisabled(id, disabled, disabled ? reason : undefined);
}
