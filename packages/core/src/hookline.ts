import { EventEmitter } from "eventemitter3";
import type { DeliveryStore } from "./contracts/store.js";
import type { Transport } from "./contracts/transport.js";
import { wireDelivery } from "./delivery-wiring.js";
import {
  type DependencyContainer,
  inject,
  injectable,
  container as rootContainer,
  TOKENS,
} from "./di/tokens.js";
import type { Dispatcher, EmitOptions, EmitResult } from "./dispatch/dispatcher.js";
import type { EndpointSwitches } from "./dispatch/endpoint-switches.js";
import type { DeliveryPipeline } from "./dispatch/pipeline.js";
import type { ResolvedEndpoint } from "./endpoints/endpoint-config.js";
import { resolveEndpoints } from "./endpoints/resolve-endpoints.js";
import { TransportRoutes } from "./endpoints/transport-routes.js";
import { HooklineError } from "./errors/hookline-error.js";
import type { EventPayloads, HooklinePlugin } from "./events/plugin.js";
import { EventRegistry } from "./events/registry.js";
import type { LifecycleEvents } from "./lifecycle.js";
import { givenTransports, type HooklineOptions, type ResolvedSettings, resolveSettings } from "./options.js";
import { RetryPolicy } from "./retry/retry-policy.js";
import type { Telemetry } from "./telemetry/telemetry.js";
import { type Clock, systemClock, type TimerHandle } from "./util/clock.js";
import { type Logger, silentLogger } from "./util/logger.js";
import type { Worker } from "./worker/worker.js";

/** What TOKENS.Config holds for an instance. */
export interface HooklineRuntimeConfig {
  readonly settings: ResolvedSettings;
  readonly endpoints: readonly ResolvedEndpoint[];
  readonly retry: RetryPolicy;
}

/** A running Hookline: typed emit, lifecycle events, worker control and the store for admin reads. */
/** A lifecycle listener. */
export type LifecycleListener<E extends keyof LifecycleEvents> = (...args: LifecycleEvents[E]) => void;

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
  // Your listener, and the guarded one registered for it (so off() can find it).
  readonly #guarded = new WeakMap<(...args: never[]) => void, (...args: never[]) => void>();
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
    if (!loading) return this.#dispatcher.emit(code, payload, opts ?? {});
    return loading.then(
      () => this.#dispatcher.emit(code, payload, opts ?? {}),
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
    this.#events.on(event, this.#guard(event, listener) as never);
    return this;
  }

  once<E extends keyof LifecycleEvents>(event: E, listener: LifecycleListener<E>): this {
    this.#events.once(event, this.#guard(event, listener) as never);
    return this;
  }

  off<E extends keyof LifecycleEvents>(event: E, listener: LifecycleListener<E>): this {
    this.#events.off(event, (this.#guarded.get(listener as never) ?? listener) as never);
    return this;
  }

  // A throwing listener must not break delivery (or reject an emit whose event is already stored,
  // inviting a duplicate): its error goes to the logger instead.
  #guard<E extends keyof LifecycleEvents>(event: E, listener: LifecycleListener<E>): LifecycleListener<E> {
    const existing = this.#guarded.get(listener as never);
    if (existing) return existing as never;
    const guarded = (...args: LifecycleEvents[E]) => {
      try {
        listener(...args);
      } catch (error) {
        this.#logger.error({ error: String(error) }, `a "${event}" listener threw`);
      }
    };
    this.#guarded.set(listener as never, guarded as never);
    return guarded;
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
    const { stopGraceMs, stopStoreTimeoutMs } = this.#settings;
    // Sends get the grace period from now, however long the store steps below take.
    const grace = this.#clock.setTimeout(() => this.#pipeline.abortSends(), stopGraceMs);
    let waitingFor = "the worker's store call to return (a claim, the endpoint switches or health)";
    let closing: Promise<void> | undefined;
    const close = () => {
      closing ??= this.#closeAdapters();
      return closing;
    };
    const orderly = (async () => {
      await this.#worker.stop();
      waitingFor = "emits under way to be stored";
      await this.#dispatcher.stop();
      waitingFor = "in-flight attempts to end and be recorded";
      await this.#pipeline.drain();
      waitingFor = "the transport and store to close";
      await close();
      return "done" as const;
    })();
    let deadline: TimerHandle | undefined;
    const timedOut = new Promise<"timeout">((resolve) => {
      deadline = this.#clock.setTimeout(() => resolve("timeout"), stopGraceMs + stopStoreTimeoutMs);
    });
    try {
      if ((await Promise.race([orderly, timedOut])) === "timeout") {
        this.#pipeline.abortSends();
        this.#reportAbandoned(waitingFor);
        // Close what still can be (a pool waiting on a hung query may never finish): not awaited.
        close().catch((error: unknown) =>
          this.#logger.warn({ error: String(error) }, "closing adapters after stop() gave up failed"),
        );
      }
    } finally {
      this.#clock.clearTimeout(grace);
      if (deadline) this.#clock.clearTimeout(deadline);
      this.#state = "stopped";
    }
  }

  async #closeAdapters(): Promise<void> {
    try {
      await this.#routes.closeAll();
    } finally {
      await this.store.close();
    }
  }

  #reportAbandoned(waitingFor: string): void {
    const { stopGraceMs, stopStoreTimeoutMs } = this.#settings;
    const unrecorded = this.#pipeline.unsettled;
    const error = new HooklineError(
      "HOOKLINE_STOP_TIMEOUT",
      `stop(): expected to finish within worker.stopGraceMs + worker.stopStoreTimeoutMs (${stopGraceMs} + ${stopStoreTimeoutMs} ms), but it was still waiting for ${waitingFor}, with ${unrecorded} attempt(s) not recorded; gave up on them (their claims are sent again once their lease expires)`,
      { details: { waitingFor, unrecordedAttempts: unrecorded } },
    );
    this.#logger.error(
      { waitingFor, unrecordedAttempts: unrecorded, afterMs: stopGraceMs + stopStoreTimeoutMs },
      "stop() gave up waiting for the store",
    );
    this.#events.emit("error", { error, context: "stop()" });
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

function registerIfGiven<T>(c: DependencyContainer, token: symbol, value: T | undefined, fallback?: T): void {
  if (value !== undefined) c.register(token, { useValue: value });
  else if (fallback !== undefined && !c.isRegistered(token, true)) c.register(token, { useValue: fallback });
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
  const slowest = Math.max(0, ...endpoints.map((e) => e.timeoutMs ?? 0));
  if (slowest * 2 > settings.worker.leaseMs) {
    // An attempt may start with half its lease left (see DeliveryPipeline), so a deadline longer
    // than that could outlive the lease and be sent twice.
    throw new HooklineError(
      "HOOKLINE_INVALID_OPTION",
      `worker.leaseMs: expected at least twice the longest endpoint timeoutMs (${slowest} ms), got ${settings.worker.leaseMs}`,
    );
  }
  const child = (opts.container ?? rootContainer).createChildContainer();
  child.register(TOKENS.Config, { useValue: Object.freeze({ settings, endpoints, retry }) });
  child.register(TOKENS.EventRegistry, { useValue: registry });
  registerIfGiven(child, TOKENS.Store, opts.store);
  // Every transport given is registered, so resolveAll sees them; without any, the container's.
  for (const transport of givenTransports(opts) ?? [])
    child.register(TOKENS.Transport, { useValue: transport });
  registerIfGiven(child, TOKENS.Clock, opts.clock, systemClock);
  registerIfGiven(child, TOKENS.Logger, opts.logger, silentLogger);
  for (const plugin of opts.plugins) plugin.register?.(child);
  for (const [name, token] of [
    ["store", TOKENS.Store],
    ["transport", TOKENS.Transport],
  ] as const) {
    if (!child.isRegistered(token, true)) {
      throw new HooklineError(
        "HOOKLINE_INVALID_OPTION",
        `${name}: expected an adapter in options or registered on the container (TOKENS.${name === "store" ? "Store" : "Transport"}), got none`,
      );
    }
  }
  // All registered transports (tsyringe keeps each registration: register* calls add up).
  child.register(TransportRoutes, {
    useValue: new TransportRoutes(child.resolveAll<Transport>(TOKENS.Transport), endpoints),
  });
  const instance = child.resolve(HooklineInstance);
  instance.container = child;
  return instance as unknown as Hookline<EventPayloads<Plugins>>;
}
