import type { EventEmitter } from "eventemitter3";
import type { DeliveryStore, InsertReport, NewEvent } from "../contracts/store.js";
import { type ResolvedEndpoint, subscribes } from "../endpoints/endpoint-config.js";
import { describeValue, HooklineError } from "../errors/hookline-error.js";
import type { EventRegistry } from "../events/registry.js";
import type { LifecycleEvents } from "../lifecycle.js";
import type { ResolvedSettings } from "../options.js";
import type { Telemetry } from "../telemetry/telemetry.js";
import type { EmitTrace } from "../telemetry/tracing.js";
import type { Clock } from "../util/clock.js";
import { newId } from "../util/ids.js";
import { trackUntilSettled } from "../util/track.js";
import { claimedOnInsert, toJob } from "./attempt-job.js";
import { type BuiltBody, buildBody } from "./build-body.js";
import type { CapacityView, Reservation } from "./capacity.js";
import { checkEmitOptions, type EmitOptions, type EmitResult } from "./emit-options.js";
import type { EndpointSwitches } from "./endpoint-switches.js";
import { ItemFailure, MicroBatcher } from "./micro-batcher.js";
import type { AttemptSummary, DeliveryPipeline } from "./pipeline.js";
import { storeGaveUp, withStoreRetry } from "./store-retry.js";

export type { EmitOptions, EmitResult } from "./emit-options.js";

type Duplicate = InsertReport["duplicates"] extends ReadonlyMap<string, infer V> ? V : never;

/** What a Dispatcher is built from. */
export interface DispatcherOptions {
  readonly store: DeliveryStore;
  readonly registry: EventRegistry;
  readonly endpoints: readonly ResolvedEndpoint[];
  readonly pipeline: DeliveryPipeline;
  /** Where emit() reserves places for the first attempts it sends itself. */
  readonly capacity: CapacityView;
  readonly switches: EndpointSwitches;
  readonly events: EventEmitter<LifecycleEvents>;
  readonly clock: Clock;
  readonly settings: ResolvedSettings;
  /** Wake the worker: deliveries were stored for it to send. */
  readonly nudgeWorker: () => void;
  readonly telemetry: Telemetry;
}

/** The endpoints an event goes to: all subscribed, those switched off, and how many will be sent. */
interface Targets {
  readonly subscribed: readonly ResolvedEndpoint[];
  readonly off: ReadonlySet<string>;
  readonly live: number;
}

/** How the insert went: the original of a duplicate, or the first attempts launched (if any). */
type Stored = { readonly duplicate: Duplicate } | { readonly attempts: Promise<AttemptSummary>[] };

/** The emit path: process → track → record. */
export class Dispatcher {
  readonly #inserter: MicroBatcher<NewEvent, Duplicate | null>;
  #stopped = false;
  readonly #pending = new Set<Promise<EmitResult>>();
  private readonly store: DeliveryStore;
  private readonly registry: EventRegistry;
  private readonly endpoints: readonly ResolvedEndpoint[];
  private readonly pipeline: DeliveryPipeline;
  private readonly capacity: CapacityView;
  private readonly switches: EndpointSwitches;
  private readonly events: EventEmitter<LifecycleEvents>;
  private readonly clock: Clock;
  private readonly settings: ResolvedSettings;
  private readonly nudgeWorker: () => void;
  private readonly telemetry: Telemetry;

  constructor(opts: DispatcherOptions) {
    this.store = opts.store;
    this.registry = opts.registry;
    this.endpoints = opts.endpoints;
    this.pipeline = opts.pipeline;
    this.capacity = opts.capacity;
    this.switches = opts.switches;
    this.events = opts.events;
    this.clock = opts.clock;
    this.settings = opts.settings;
    this.nudgeWorker = opts.nudgeWorker;
    this.telemetry = opts.telemetry;
    const { insertBatchSize, insertConcurrency, writes } = opts.settings;
    this.#inserter = new MicroBatcher(
      async (batch) => {
        try {
          const insert = () => this.store.insertEvents(batch);
          const report = await withStoreRetry("inserting events", insert, writes.insertRetries);
          return batch.map((ev) => report.duplicates.get(ev.id) ?? null);
        } catch (err) {
          // A conflict the store gave up on is no bad row; one more try per row would only repeat it.
          if (batch.length === 1 || storeGaveUp(err)) throw err;
          // One bad row must not fail every emit batched with it: write them one by one.
          return Promise.all(
            batch.map(async (ev) => {
              try {
                return (await this.store.insertEvents([ev])).duplicates.get(ev.id) ?? null;
              } catch (error) {
                return new ItemFailure(
                  new HooklineError(
                    "HOOKLINE_STORE_ERROR",
                    `inserting event ${ev.id} failed: ${(error as Error).message}`,
                    { cause: error },
                  ),
                );
              }
            }),
          );
        }
      },
      { maxSize: insertBatchSize, maxConcurrent: insertConcurrency },
    );
  }

  /** Validate, store and send one event; stop() waits for emits already under way. */
  emit(code: string, payload: unknown, opts: EmitOptions = {}): Promise<EmitResult> {
    const trace = this.telemetry.startEmit(code);
    const emitting =
      trace === undefined
        ? this.#emit(code, payload, opts, undefined)
        : trace.end(trace.run(this.#emit, this, code, payload, opts, trace));
    return trackUntilSettled(this.#pending, emitting);
  }

  async #emit(
    code: string,
    payload: unknown,
    opts: EmitOptions,
    trace: EmitTrace | undefined,
  ): Promise<EmitResult> {
    this.#assertRunning(code);
    checkEmitOptions(opts);
    const built = await buildBody(this.#definition(code), payload, this.settings.maxBodyBytes);
    // Validation may be async: stop() can have begun meanwhile, and then nothing more is accepted.
    this.#assertRunning(code);
    const targets = this.#targets(code);
    // Reserved now, before any await, so concurrent emits cannot overshoot maxInFlight + maxQueued;
    // past that the rows go in unclaimed and the worker sends them: backpressure lands in the store.
    const reservation =
      opts.trx === undefined && targets.live > 0 ? this.capacity.reserve(targets.live) : undefined;
    const event = this.#newEvent(code, built, opts, targets, reservation !== undefined, trace);
    let stored: Stored;
    try {
      stored = await this.#store(event, opts, reservation, targets.live, trace);
    } finally {
      // Places no attempt took (a duplicate, a failed insert) are free again at once.
      reservation?.release();
    }
    if ("duplicate" in stored) return this.#duplicateResult(stored.duplicate);
    return this.#accepted(event, opts, stored.attempts);
  }

  #definition(code: string) {
    const def = this.registry.get(code);
    if (def) return def;
    throw new HooklineError(
      "HOOKLINE_UNKNOWN_EVENT",
      `expected one of ${this.registry.codes().join(", ") || "(no events defined)"}, got ${describeValue(code)}`,
    );
  }

  #targets(code: string): Targets {
    const subscribed = this.endpoints.filter((e) => subscribes(e, code));
    const off = new Set(subscribed.filter((e) => this.switches.disabled.has(e.id)).map((e) => e.id));
    return { subscribed, off, live: subscribed.length - off.size };
  }

  /** The event and its deliveries; `claimed`: the live ones go in already claimed by this emit. */
  #newEvent(
    code: string,
    built: BuiltBody,
    opts: EmitOptions,
    targets: Targets,
    claimed: boolean,
    trace: EmitTrace | undefined,
  ): NewEvent {
    const { leaseMs, workerId } = this.settings.worker;
    const createdAt = this.clock.now();
    return {
      id: newId("evt"),
      code,
      subject: built.subject,
      body: built.body,
      idempotencyKey: opts.idempotencyKey ?? null,
      createdAt,
      deliveries: targets.subscribed.map((ep) => ({
        id: newId("dlv"),
        endpointId: ep.id,
        // A disabled endpoint still gets its row, cancelled, so the event stays replayable there.
        ...(targets.off.has(ep.id)
          ? { cancelled: true }
          : claimed
            ? { claim: { token: newId("clm"), leaseMs, workerId } }
            : {}),
      })),
      // Stored so an attempt made later, in any process, joins or links to the emit's trace.
      ...(trace?.traceContext ? { traceContext: trace.traceContext } : {}),
    };
  }

  /** Insert the event, and launch the first attempts this emit reserved places for. */
  async #store(
    event: NewEvent,
    opts: EmitOptions,
    reservation: Reservation | undefined,
    live: number,
    trace: EmitTrace | undefined,
  ): Promise<Stored> {
    if (opts.trx !== undefined) {
      const dup = (await this.store.insertEvents([event], { trx: opts.trx })).duplicates.get(event.id);
      if (dup) return { duplicate: dup };
      this.#nudgeAfterCommit(opts.trx);
      return { attempts: [] };
    }
    if (this.settings.mode === "parallel" && reservation && !opts.idempotencyKey) {
      // parallel mode: the request and the insert start together; recording waits for both.
      const inserted = this.#inserter.add(event);
      const attempts = this.#launch(event, reservation, trace, inserted);
      await inserted;
      return { attempts };
    }
    const dup = await this.#inserter.add(event);
    if (dup) return { duplicate: dup };
    if (reservation) return { attempts: this.#launch(event, reservation, trace) };
    if (live > 0) this.nudgeWorker();
    return { attempts: [] };
  }

  #launch(
    event: NewEvent,
    reservation: Reservation,
    trace: EmitTrace | undefined,
    recordAfter?: Promise<unknown>,
  ): Promise<AttemptSummary>[] {
    const claimedAt = event.createdAt.getTime();
    const { leaseMs } = this.settings.worker;
    // The first attempts are children of the emit span in memory, not through the stored copy.
    const parent = trace?.context;
    return claimedOnInsert(event).map((claim) =>
      this.pipeline.launch(toJob(claim, claimedAt, leaseMs, parent), { reservation, recordAfter }),
    );
  }

  async #accepted(
    event: NewEvent,
    opts: EmitOptions,
    attempts: Promise<AttemptSummary>[],
  ): Promise<EmitResult> {
    const deliveries = event.deliveries.map((d) => ({ id: d.id, endpointId: d.endpointId }));
    if (this.events.listenerCount("event.accepted") > 0)
      this.events.emit("event.accepted", {
        eventId: event.id,
        eventCode: event.code,
        subject: event.subject,
        deliveryIds: deliveries.map((d) => d.id),
      });
    const result = { eventId: event.id, duplicate: false, deliveries };
    return opts.wait === "attempted" ? { ...result, attempts: await Promise.all(attempts) } : result;
  }

  #assertRunning(code: string): void {
    if (!this.#stopped) return;
    throw new HooklineError(
      "HOOKLINE_NOT_RUNNING",
      `emit("${code}"): expected a running instance, but stop() was called`,
    );
  }

  /** Refuse new emits, wait for those under way, and for queued inserts to be written. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.allSettled([...this.#pending]);
    await this.#inserter.drain();
  }

  // Duplicates are rare, so one extra read for the original's endpoint ids is cheaper than widening the insert report.
  async #duplicateResult(dup: Duplicate): Promise<EmitResult> {
    const original = await this.store.getEvent(dup.eventId);
    const byId = new Map(original?.deliveries.map((d) => [d.id, d.endpointId]));
    const deliveries = dup.deliveryIds.map((id) => ({ id, endpointId: byId.get(id) ?? "" }));
    return { eventId: dup.eventId, duplicate: true, deliveries };
  }

  // The store knows its transactions; one it cannot follow is sent when the worker next polls.
  #nudgeAfterCommit(trx: unknown): void {
    this.store.transactionOutcome?.(trx)?.then(
      (outcome) => outcome === "committed" && this.nudgeWorker(),
      () => {},
    );
  }
}
