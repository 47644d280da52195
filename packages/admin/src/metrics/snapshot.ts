import {
  DELIVERY_STATUSES,
  type DeliveryStatus,
  type DeliveryStore,
  type ResolvedEndpoint,
} from "@hookline/core";
import { circuitView } from "../ops/endpoint-control.js";
import { isEndpointDisabled } from "../ops/endpoints.js";

/** The window of the attempt figures (attempts, success ratio). */
export const ATTEMPT_WINDOW_MS = 5 * 60_000;
const HOUR_MS = 3_600_000;

/** What /metrics reports for one endpoint, read from the store at one moment. */
export interface EndpointMetrics {
  readonly endpointId: string;
  /** Deliveries in the log by current status, every status present (0 when none). */
  readonly deliveries: Readonly<Record<DeliveryStatus, number>>;
  /** Pending deliveries whose next attempt is due. */
  readonly due: number;
  /** How long the oldest due delivery has been due, in seconds; 0 when nothing is due. */
  readonly oldestDueSeconds: number;
  /** Attempts started in the last ATTEMPT_WINDOW_MS. */
  readonly attempts: number;
  /** Successful share of those attempts; null when there were none. */
  readonly successRatio: number | null;
  readonly disabled: boolean;
  readonly consecutiveFailures: number;
  /** The circuit is open or half-open: claims hold the endpoint's deliveries back (but a probe). */
  readonly circuitOpen: boolean;
}

const zeroCounts = (): Record<DeliveryStatus, number> =>
  Object.fromEntries(DELIVERY_STATUSES.map((s) => [s, 0])) as Record<DeliveryStatus, number>;

/**
 * Per-endpoint figures for a scrape: configured endpoints (in config order), then every other
 * endpoint the log knows. Delivery counts come from stats() over all time: a store that keeps an
 * hourly roll-up (store-knex) answers that from the roll-up plus its few pending and sending rows,
 * so a scrape stays cheap however large the log grows. The range ends an hour ahead so the
 * current hour counts whole and a clock slightly ahead of this one loses nothing.
 */
export async function metricsSnapshot(
  store: DeliveryStore,
  endpoints: readonly ResolvedEndpoint[],
  now: Date,
): Promise<EndpointMetrics[]> {
  const t = now.getTime();
  const [stats, backlog, health, states] = await Promise.all([
    store.stats({ since: new Date(0), until: new Date(t + HOUR_MS) }),
    store.backlog(),
    store.endpointHealth({ since: new Date(t - ATTEMPT_WINDOW_MS), until: now }),
    store.getEndpointStates(),
  ]);
  const counts = new Map<string, Record<DeliveryStatus, number>>();
  for (const row of stats) {
    const c = counts.get(row.endpointId) ?? zeroCounts();
    for (const s of DELIVERY_STATUSES) c[s] += row.counts[s] ?? 0;
    counts.set(row.endpointId, c);
  }
  const dueById = new Map(backlog.map((b) => [b.endpointId, b]));
  const healthById = new Map(health.map((h) => [h.endpointId, h]));
  const stateById = new Map(states.map((s) => [s.endpointId, s]));
  const configured = new Map(endpoints.map((e) => [e.id, e]));
  const seen = [...counts.keys(), ...dueById.keys(), ...healthById.keys(), ...stateById.keys()];
  const ids = [...configured.keys(), ...[...new Set(seen)].filter((id) => !configured.has(id)).sort()];
  return ids.map((id) => {
    const due = dueById.get(id);
    const h = healthById.get(id);
    const oldest = due?.oldestDueAt?.getTime();
    return {
      endpointId: id,
      deliveries: counts.get(id) ?? zeroCounts(),
      due: due?.due ?? 0,
      // The store stamps due times with its own clock; one running ahead must not read as negative.
      oldestDueSeconds: oldest === undefined ? 0 : Math.max(0, (t - oldest) / 1000),
      attempts: h?.attemptsInRange ?? 0,
      successRatio: h && h.attemptsInRange > 0 ? h.successRate : null,
      disabled: isEndpointDisabled(configured.get(id), stateById.get(id)),
      consecutiveFailures: h?.consecutiveFailures ?? 0,
      circuitOpen: circuitView(stateById.get(id)).state !== "closed",
    };
  });
}
