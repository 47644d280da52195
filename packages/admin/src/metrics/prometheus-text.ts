import { DELIVERY_STATUSES } from "@hookline/core";
import { Gauge, Registry } from "prom-client";
import type { EndpointMetrics } from "./snapshot.js";

/** One per-endpoint gauge: its name, HELP text and value (null: no sample for that endpoint). */
interface EndpointSeries {
  readonly name: string;
  readonly help: string;
  readonly value: (m: EndpointMetrics) => number | null;
}

/** The series of /metrics besides hookline_deliveries, in the order they are written. */
export const ENDPOINT_SERIES: readonly EndpointSeries[] = [
  {
    name: "hookline_backlog_due",
    help: "Pending deliveries whose next attempt is due now, waiting for a worker.",
    value: (m) => m.due,
  },
  {
    name: "hookline_backlog_oldest_due_seconds",
    help: "Seconds the oldest due delivery has been waiting since it became due; 0 when none is due.",
    value: (m) => m.oldestDueSeconds,
  },
  {
    name: "hookline_attempts_5m",
    help: "Delivery attempts started in the last 5 minutes.",
    value: (m) => m.attempts,
  },
  {
    name: "hookline_attempt_success_ratio_5m",
    help: "Successful share (0 to 1) of the attempts started in the last 5 minutes; absent when there were none.",
    value: (m) => m.successRatio,
  },
  {
    name: "hookline_endpoint_disabled",
    help: "1 when the endpoint is disabled (by the config, an admin, a 410 or long failure), else 0.",
    value: (m) => (m.disabled ? 1 : 0),
  },
  {
    name: "hookline_endpoint_consecutive_failures",
    help: "Failed attempts since the endpoint's last successful one.",
    value: (m) => m.consecutiveFailures,
  },
  {
    name: "hookline_endpoint_circuit_open",
    help: "1 when the endpoint's circuit breaker is open or half-open (deliveries held back, one probe at a time), else 0.",
    value: (m) => (m.circuitOpen ? 1 : 0),
  },
];

/**
 * The Prometheus text exposition of one snapshot. A registry of its own per call: the figures
 * are read from the store at scrape time, so nothing may linger from an earlier scrape (an
 * endpoint gone from the log must vanish), and nothing the application put in prom-client's
 * global registry leaks into the admin's answer.
 */
export async function prometheusText(
  snapshot: readonly EndpointMetrics[],
): Promise<{ readonly contentType: string; readonly body: string }> {
  const registry = new Registry();
  const deliveries = new Gauge({
    name: "hookline_deliveries",
    help: "Deliveries in the log by current status (every status, 0 included).",
    labelNames: ["endpoint", "status"],
    registers: [registry],
  });
  for (const m of snapshot)
    for (const status of DELIVERY_STATUSES)
      deliveries.set({ endpoint: m.endpointId, status }, m.deliveries[status]);
  for (const series of ENDPOINT_SERIES) {
    const gauge = new Gauge({
      name: series.name,
      help: series.help,
      labelNames: ["endpoint"],
      registers: [registry],
    });
    for (const m of snapshot) {
      const v = series.value(m);
      if (v !== null) gauge.set({ endpoint: m.endpointId }, v);
    }
  }
  return { contentType: registry.contentType, body: await registry.metrics() };
}
