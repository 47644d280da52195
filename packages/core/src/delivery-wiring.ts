import type { EventEmitter } from "eventemitter3";
import type { DeliveryStore } from "./contracts/store.js";
import { AttemptRunner } from "./dispatch/attempt-runner.js";
import { Capacity } from "./dispatch/capacity.js";
import { ControlSignals } from "./dispatch/control-signals.js";
import { Dispatcher } from "./dispatch/dispatcher.js";
import { EndpointSwitches } from "./dispatch/endpoint-switches.js";
import { DeliveryPipeline, type SendOutcome } from "./dispatch/pipeline.js";
import type { TransportRoutes } from "./endpoints/transport-routes.js";
import type { EventRegistry } from "./events/registry.js";
import type { HooklineRuntimeConfig } from "./hookline.js";
import type { LifecycleEvents } from "./lifecycle.js";
import { createTelemetry, type Telemetry } from "./telemetry/telemetry.js";
import type { Clock } from "./util/clock.js";
import type { Logger } from "./util/logger.js";
import { Worker } from "./worker/worker.js";

/** What an instance's delivery parts are built from (its adapters and resolved config). */
export interface DeliveryWiringOptions {
  readonly config: HooklineRuntimeConfig;
  readonly store: DeliveryStore;
  /** Each endpoint's transport. */
  readonly routes: TransportRoutes;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly registry: EventRegistry;
  readonly events: EventEmitter<LifecycleEvents>;
}

/** The parts an instance drives: emit path, retry worker, the pipeline both feed, endpoint switches. */
export interface DeliveryParts {
  readonly switches: EndpointSwitches;
  readonly pipeline: DeliveryPipeline;
  readonly worker: Worker;
  readonly dispatcher: Dispatcher;
  /** Spans and metrics (a no-op with `telemetry: false`); stop() closes it. */
  readonly telemetry: Telemetry;
}

/**
 * Build the delivery parts around one Capacity: emit() reserves in it, the worker claims into it,
 * the pipeline runs every send in it.
 */
export function wireDelivery(opts: DeliveryWiringOptions): DeliveryParts {
  const { config, store, routes, clock, logger, registry, events } = opts;
  const { settings } = config;
  const byId = new Map(config.endpoints.map((e) => [e.id, e]));
  const switches = new EndpointSwitches(store, events, logger);
  const endpointIds = config.endpoints.map((e) => e.id);
  const telemetry = createTelemetry(settings.telemetry, {
    store,
    clock,
    endpointIds,
    report: (error, context) => events.emit("error", { error, context }),
  });
  const runner = new AttemptRunner({
    transport: (id) => routes.forEndpoint(id),
    retry: config.retry,
    clock,
    endpoint: (id) => byId.get(id),
    isDisabled: (id) => switches.disabled.has(id),
    telemetry,
  });
  const capacity = new Capacity<SendOutcome>({
    maxInFlight: settings.maxInFlight,
    maxQueued: settings.maxQueued,
  });
  // The worker is built after the pipeline that wakes it.
  let worker: Worker | undefined;
  const nudgeWorker = () => worker?.nudge();
  const control = new ControlSignals({
    endpoints: config.endpoints,
    switches,
    events,
    logger,
    clock,
    nudgeWorker,
    claimNext: (key) => worker?.claimNext(key),
  });
  const pipeline = new DeliveryPipeline({
    store,
    runner,
    switches,
    events,
    clock,
    logger,
    capacity,
    leaseMs: settings.worker.leaseMs,
    writes: settings.writes,
    telemetry,
    control,
  });
  worker = new Worker({
    store,
    pipeline,
    capacity,
    switches,
    events,
    clock,
    logger,
    settings: settings.worker,
    endpointIds,
    controls: control.controls,
  });
  const dispatcher = new Dispatcher({
    store,
    registry,
    pipeline,
    capacity,
    switches,
    events,
    clock,
    settings,
    endpoints: config.endpoints,
    nudgeWorker,
    claimNext: (key) => worker?.claimNext(key),
    telemetry,
    logger,
  });
  return { switches, pipeline, worker, dispatcher, telemetry };
}
