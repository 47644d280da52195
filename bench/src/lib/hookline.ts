import {
  createHookline,
  type DeliveryStore,
  type DispatchMode,
  type HooklineOptions,
  type HooklinePlugin,
  type Transport,
  type WorkerOptions,
} from "@hookline/core";
import { buyerEvents } from "@hookline/events-buyer";
import { knexStore } from "@hookline/store-knex";
import { httpTransport } from "@hookline/transport-http";
import type { DbTarget } from "./db.js";
import { endpointFor } from "./payload.js";

/** Hookline's `telemetry` option: false, or the providers to use instead of the global ones. */
export type BenchTelemetry = HooklineOptions<readonly HooklinePlugin[]>["telemetry"];

/**
 * Hookline as a service would compose it: product defaults everywhere, except the SSRF guard
 * allowing the loopback receiver (the bench sends only to 127.0.0.1), unless another transport
 * (a broker's) is given for the endpoint.
 */
export function benchHookline(o: {
  readonly target: DbTarget;
  readonly url: string;
  readonly mode?: DispatchMode;
  readonly worker?: WorkerOptions;
  /** A store to use instead of a plain knexStore on the target (e.g. a profiled one). */
  readonly store?: DeliveryStore;
  /** The endpoint's transport (product defaults); HTTP if absent. */
  readonly transport?: Transport;
  /** @default the product default (the global OpenTelemetry providers) */
  readonly telemetry?: BenchTelemetry;
}) {
  return createHookline({
    plugins: [buyerEvents()],
    endpoints: endpointFor(o.url),
    store: o.store ?? knexStore({ knex: o.target.config, tablePrefix: o.target.prefix }),
    transport: o.transport ?? httpTransport({ ssrf: { allow: ["127.0.0.1/32"] } }),
    mode: o.mode ?? "durable",
    ...(o.worker ? { worker: o.worker } : {}),
    ...(o.telemetry !== undefined ? { telemetry: o.telemetry } : {}),
  });
}

export type BenchHookline = ReturnType<typeof benchHookline>;
