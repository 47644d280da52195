import { EventEmitter } from "eventemitter3";
import { boundedStop } from "./bounded-stop.js";
import type { DeliveryStore } from "./contracts/store.js";
import type { Transport } from "./contracts/transport.js";
import { wireDelivery } from "./delivery-wiring.js";
import { type DependencyContainer, inject, injectable, TOKENS } from "./di/tokens.js";
import type { Dispatcher, EmitOptions, EmitResult } from "./dispatch/dispatcher.js";
import type { EndpointSwitches } from "./dispatch/endpoint-switches.js";
import type { DeliveryPipeline } from "./dispatch/pipeline.js";
import type { ResolvedEndpoint } from "./endpoints/endpoint-config.js";
import { resolveEndpoints } from "./endpoints/resolve-endpoints.js";
import { TransportRoutes } from "./endpoints/transport-routes.js";
import { HooklineError } from "./errors/hookline-error.js";
import type { EventPayloads, HooklinePlugin } from "./events/plugin.js";
import { EventRegistry } from "./events/registry.js";
import { hooklineContainer } from "./hookline-container.js";
import type { LifecycleEvents } from "./lifecycle.js";
import { GuardedListeners } from "./lifecycle-listeners.js";
import { type HooklineOptions, type ResolvedSettings, resolveSettings } from "./options.js";
import { RetryPolicy } from "./retry/retry-policy.js";
import type { Telemetry } from "./telemetry/telemetry.js";
import type { Clock } from "./util/clock.js";
import type { Logger } from "./util/logger.js";
import type { Worker } from "./worker/worker.js";

/** The options of an emit called without any: one object, not one per call. */
const NO_OPTIONS: EmitOptions = Object.freeze({});

/** What TOKENS.Config holds for an instance. */
export interface HooklineRuntimeConfig {
  readonly settings: ResolvedSettings;
  readonly endpoints: readonly ResolvedEndpoint[];
  readonly retry: RetryPolicy;
}

/** A lifecycle listener. */
export type LifecycleListener<E extends keyof LifecycleEvents> = (...args: LifecycleEvents[E]) => void;

/** A running Hookline: typed emit, lifecycle events, worker control and the store for admin reads. */
export interface Hookline<Events extends Record<string, unknown> = Record<string, unknown>> {
  /** Listen to a lifecycle event ("delivery.failed", "endpoint.disabled", "error", …). */
  on<E extends keyof LifecycleEvents>(event: E, listener: LifecycleListener<E>): this;
  /** Listen once. */
  once<E extends keyof LifecycleEvents>(event: E, listener: LifecycleListener<E>): this;
  /** Remove a listener. */
  off<E extends keyof LifecycleEvents>(event: E, listener: LifecycleListener<E>): this;
  /**
   * Validate, store and deliver one event. Wrong codes and payloads are compile errors. Works
   * before start() too (e.g. in a process that only emits): the first emit reads the persisted
   * endpoint switches once, so an endpoint disabled earlier gets a `cancelled` delivery and no
   * request. It does not migrate the store: start() does.
   */
  emit<C extends keyof Events & string>(code: C, payload: Events[C], opts?: EmitOptions): Promise<EmitResult>;
  /**
   * Migrate the store (unless `migrate: false`), load the endpoint switches and start the retry
   * worker (unless `worker.enabled: false`). Call it in emit-only processes too: it migrates.
   */
  start(): Promise<void>;
  /**
   * Refuse new emits, stop claiming, release unstarted claims, let in-flight attempts finish
   * (aborted after `worker.stopGraceMs`, then due again), record them and close the adapters.
   * Resolves within `worker.stopGraceMs` + `worker.stopStoreTimeoutMs` whatever the store does:
   * past that it stops waiting, closes what it can, and reports what it abandoned through the
   * logger and an `error` event (`HOOKLINE_STOP_TIMEOUT`); abandoned claims are sent again once
   * their lease expires. Calling it again returns the same promise.
   */
  stop(): Promise<void>;
  /** Requeue terminal deliveries by id (same webhook-id, fresh signature) and wake the worker. */
  replay(deliveryIds: readonly string[]): Promise<number>;
  /** Disable an endpoint: its pending deliveries are cancelled and stay replayable. */
  disableEndpoint(endpointId: string, reason: string): Promise<void>;
  /** Re-enable a disabled endpoint. */
  enableEndpoint(endpointId: string): Promise<void>;
  readonly store: DeliveryStore;
  /** The first of `transports` (the only one unless several are given or registered). */
  readonly transport: Transport;
  /** Every transport; each endpoint is routed to the one serving its URL's scheme. */
  readonly transports: readonly Transport[];
  readonly endpoints: readonly ResolvedEndpoint[];
  readonly registry: EventRegistry;
  readonly container: DependencyContainer;
  readonly workerId: string;
}

@injectable()
class HooklineInstance implements Hookline {
  readonly #events = new EventEmitter<LifecycleEvents>();
  readonly endpoints: readonly ResolvedEndpoint[];
  readonly workerId: string;
  container!: DependencyContainer;
  readonly #settings: ResolvedSettings;
  readonly #pipeline: DeliveryPipeline;
  readonly #switches: EndpointSwitches;
  readonly #logger: Logger;
  readonly #clock: Clock;
  #stopping: Promise<void> | undefined;
  readonly #listeners: GuardedListeners;
  readonly #worker: Worker;
  readonly #dispatcher: Dispatcher;
  readonly #routes: TransportRoutes;
  readonly #telemetry: Telemetry;
  #state: "idle" | "running" | "stopping" | "stopped" = "idle";

  constructor(
    @inject(TOKENS.Config) config: HooklineRuntimeConfig,
    @inject(TOKENS.Store) readonly store: DeliveryStore,
    @inject(TransportRoutes) routes: TransportRoutes,
    @inject(TOKENS.Clock) clock: Clock,
    @inject(TOKENS.Logger) logger: Logger,
    @inject(TOKENS.EventRegistry) readonly registry: EventRegistry,
  ) {
    this.#settings = config.settings;
    this.endpoints = config.endpoints;
    this.workerId = config.settings.worker.workerId;
    this.#logger = logger;
    this.#listeners = new GuardedListeners(logger);
    this.#clock = clock;
    this.#routes = routes;
    const events = this.#events;
    const parts = wireDelivery({ config, store, routes, clock, logger, registry, events });
    this.#switches = parts.switches;
    this.#pipeline = parts.pipeline;
    this.#worker = parts.worker;
    this.#dispatcher = parts.dispatcher;
    this.#telemetry = parts.telemetry;
    // emit is often passed around detached (e.g. to trigger helpers); keep `this` bound.
    this.emit = this.emit.bind(this);
    // Short retries are picked up on time instead of waiting for the next poll.
    this.#events.on("delivery.retry_scheduled", ({ delayMs }) => this.#worker.nudgeIn(delayMs));
  }

  get transport(): Transport {
    return this.#routes.transports[0] as Transport;
  }

  get transports(): readonly Transport[] {
    return this.#routes.transports;
  }

  emit(code: string, payload: unknown, opts?: EmitOptions): Promise<EmitResult> {
    const loading = this.#switches.ensureLoaded();
    if (!loading) return this.#dispatcher.emit(code, payload, opts ?? NO_OPTIONS);
    return loading.then(
      () => this.#dispatcher.emit(code, payload, opts ?? NO_OPTIONS),
      (error: unknown) => {
        // Guessing "all enabled" could send to an endpoint an admin switched off: refuse instead.
        throw new HooklineError(
          "HOOKLINE_STORE_ERROR",
          `emit("${code}"): expected to read the endpoint switches before the first emit, but the store failed: ${(error as Error)?.message ?? String(error)}`,
          { cause: error },
        );
      },
    );
  }

  on<E extends keyof LifecycleEvents>(event: E, listener: LifecycleListener<E>): this {
    this.#events.on(event, this.#listeners.guard(event, listener) as never);
    return this;
  }

  once<E extends keyof LifecycleEvents>(event: E, listener: LifecycleListener<E>): this {
    this.#events.once(event, this.#listeners.guard(event, listener) as never);
    return this;
  }

  off<E extends keyof LifecycleEvents>(event: E, listener: LifecycleListener<E>): this {
    this.#events.off(event, this.#listeners.registered(listener) as never);
    return this;
  }

  async start(): Promise<void> {
    if (this.#state === "running") return;
    if (this.#state !== "idle")
      throw new HooklineError(
        "HOOKLINE_NOT_RUNNING",
        "start(): expected a fresh instance, but it was stopped",
      );
    if (this.#settings.migrate) await this.store.migrate();
    await this.#switches.refresh();
    // stop() may have been called while we were migrating: then stay stopped.
    if (this.#state !== "idle") return;
    if (this.#settings.workerEnabled) this.#worker.start();
    this.#state = "running";
  }

  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    this.#state = "stopping";
    this.#telemetry.close();
    try {
      await boundedStop({
        settings: this.#settings,
        clock: this.#clock,
        logger: this.#logger,
        events: this.#events,
        worker: this.#worker,
        dispatcher: this.#dispatcher,
        pipeline: this.#pipeline,
        routes: this.#routes,
        store: this.store,
      });
    } finally {
      this.#state = "stopped";
    }
  }

  async replay(deliveryIds: readonly string[]): Promise<number> {
    const n = await this.store.requeue({ ids: deliveryIds });
    this.#worker.nudge();
    return n;
  }

  async disableEndpoint(endpointId: string, reason: string): Promise<void> {
    await this.#switches.disable(endpointId, reason, { automatic: false });
  }

  async enableEndpoint(endpointId: string): Promise<void> {
    await this.#switches.enable(endpointId);
  }
}

/**
 * Compose an instance on a tsyringe child container. Adapters given in `opts` win; otherwise
 * whatever the parent container has registered against TOKENS is used (every Transport
 * registered, each endpoint routed to the one serving its URL's scheme).
 */
export function createHookline<const Plugins extends readonly HooklinePlugin[]>(
  opts: HooklineOptions<Plugins>,
): Hookline<EventPayloads<Plugins>> {
  if (typeof opts !== "object" || opts === null) {
    throw new HooklineError("HOOKLINE_INVALID_OPTION", "createHookline: expected an options object");
  }
  const settings = resolveSettings(opts);
  const registry = new EventRegistry(opts.plugins);
  const endpoints = resolveEndpoints(opts.endpoints, {
    knownCodes: registry.codes(),
    env: opts.env ?? process.env,
  });
  const retry = new RetryPolicy(opts.retry);
  const child = hooklineContainer(opts, { settings, endpoints, retry }, registry);
  const instance = child.resolve(HooklineInstance);
  instance.container = child;
  return instance as unknown as Hookline<EventPayloads<Plugins>>;
}
