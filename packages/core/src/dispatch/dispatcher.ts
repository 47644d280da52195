import type { EventEmitter } from "eventemitter3";
import type {
  ClaimRef,
  DeliveryStore,
  InsertReport,
  NewDelivery,
  NewEvent,
  SubjectKey,
} from "../contracts/store.js";
import { type ResolvedEndpoint, subscribes } from "../endpoints/endpoint-config.js";
import { describeValue, HooklineError } from "../errors/hookline-error.js";
import type { EventDefinition } from "../events/define-event.js";
import type { EventRegistry } from "../events/registry.js";
import type { LifecycleEvents } from "../lifecycle.js";
import type { ResolvedSettings } from "../options.js";
import type { Telemetry } from "../telemetry/telemetry.js";
import type { EmitTrace } from "../telemetry/tracing.js";
import type { Clock } from "../util/clock.js";
import { newId } from "../util/ids.js";
import type { Logger } from "../util/logger.js";
import { SettleList } from "../util/settle-list.js";
import { claimedOnInsert, toJob } from "./attempt-job.js";
import { type BuiltBody, buildBody } from "./build-body.js";
import type { CapacityView, Reservation } from "./capacity.js";
import { newDeliveries, type Targets, targetsOf } from "./delivery-plan.js";
import { EmitGate } from "./emit-gate.js";
import { checkEmitOptions, type EmitOptions, type EmitResult } from "./emit-options.js";
import { EmitRoom } from "./emit-room.js";
import type { EndpointSwitches } from "./endpoint-switches.js";
import { countSuperseded, type Duplicate, eventInserter, type Inserted } from "./event-inserter.js";
import type { MicroBatcher } from "./micro-batcher.js";
import type { AttemptSummary, DeliveryPipeline } from "./pipeline.js";

export type { EmitOptions, EmitResult } from "./emit-options.js";

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
  /** Have the worker claim the next delivery of an ordered subject (see Worker.claimNext). */
  readonly claimNext: (key: SubjectKey) => void;
  readonly telemetry: Telemetry;
  readonly logger: Logger;
}

const noop = (): void => {};

const notRunning = (code: string) =>
  new HooklineError(
    "HOOKLINE_NOT_RUNNING",
    `emit("${code}"): expected a running instance, but stop() was called`,
  );

/**
 * An emit waiting for its turn: its call, its caller's telemetry context and how to settle its
 * promise, as plain fields (no closure over them): a burst may leave 100,000 of these waiting.
 * Only the resolve function is kept (a promise resolved with a rejected one rejects too).
 */
class WaitingEmit {
  constructor(
    readonly code: string,
    readonly payload: unknown,
    readonly opts: EmitOptions,
    /** The places in memory it will reserve (EmitRoom.cost). */
    readonly places: number,
    readonly caller: unknown,
    readonly settle: (r: Promise<EmitResult>) => void,
  ) {}
}

/** How the insert went: the original of a duplicate, or the first attempts launched (if any). */
type Stored = { readonly duplicate: Duplicate } | { readonly attempts: Promise<AttemptSummary>[] };

/** The emit path: process → track → record. */
export class Dispatcher {
  readonly #inserter: MicroBatcher<NewEvent, Inserted>;
  /**
   * Backpressure: past settings.maxEmitting, or while the places in memory are taken and sends
   * are quick, emits wait here before building anything.
   */
  readonly #gate: EmitGate<WaitingEmit>;
  readonly #room: EmitRoom;
  /** Per event code, the endpoints subscribed to it: the places an emit of it will reserve. */
  readonly #placesByCode = new Map<string, number>();
  #stopped = false;
  /** stop() has begun: emit() calls fail at once (set before #stopped, which fails admitted ones). */
  #refusing = false;
  readonly #pending = new SettleList<EmitResult>();
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
  readonly #claimNext: (key: SubjectKey) => void;
  private readonly telemetry: Telemetry;
  readonly #logger: Logger;
  /** Endpoints without a circuit breaker (`circuitBreaker: false`). */
  readonly #unbroken: ReadonlySet<string>;

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
    this.#claimNext = opts.claimNext;
    this.telemetry = opts.telemetry;
    this.#unbroken = new Set(opts.endpoints.filter((e) => e.circuitBreaker === false).map((e) => e.id));
    this.#logger = opts.logger;
    this.#inserter = eventInserter(opts.store, opts.settings, opts.logger, opts.telemetry);
    this.#room = new EmitRoom(opts.capacity, opts.settings.insertBatchSize, () => this.#admitWaiting());
    this.#gate = new EmitGate<WaitingEmit>(
      opts.settings.maxEmitting,
      (places) => this.#room.mayAdmit(places),
      (w) => w.places,
    );
    opts.capacity.onFreed(() => this.#admitWaiting());
  }

  /** Validate, store and send one event; stop() waits for emits already under way. */
  emit(code: string, payload: unknown, opts: EmitOptions): Promise<EmitResult> {
    if (this.#refusing) return Promise.reject(notRunning(code));
    // An outbox emit runs in its caller's transaction, which may hold the very pool connection
    // the admitted emits' inserts wait for: it never waits for room.
    if (opts.trx !== undefined) return this.#run(code, payload, opts, noop);
    const places = this.#placesFor(code);
    if (this.#gate.enter(places)) return this.#start(code, payload, opts, places);
    const caller = this.telemetry.callerContext();
    return new Promise((settle) => {
      this.#gate.wait(new WaitingEmit(code, payload, opts, places, caller, settle));
    });
  }

  /** Start an emit the gate let in after it waited, in its caller's telemetry context. */
  #startWaiting(w: WaitingEmit): void {
    w.settle(this.telemetry.inCaller(w.caller, () => this.#start(w.code, w.payload, w.opts, w.places)));
  }

  #placesFor(code: string): number {
    let places = this.#placesByCode.get(code);
    if (places === undefined) {
      // An unknown code fails in #emit; it is not kept, so calls with junk codes cannot grow this.
      if (!this.registry.get(code)) return 0;
      places = this.#room.cost(this.endpoints.filter((e) => subscribes(e, code)).length);
      this.#placesByCode.set(code, places);
    }
    return places;
  }

  /**
   * Run one emit that holds a place in the gate. The place passes on once the event is stored
   * (an emit with `wait: "attempted"` does not keep it through its attempts), or once it failed.
   */
  #start(code: string, payload: unknown, opts: EmitOptions, places: number): Promise<EmitResult> {
    let held = true;
    let expected = true;
    this.#room.expect(places);
    const unexpect = () => {
      if (!expected) return;
      expected = false;
      this.#room.planned(places);
    };
    // Its places are reserved (or were not needed): the room it was counted for may go to others.
    const planned = () => {
      unexpect();
      this.#admitWaiting();
    };
    const giveUp = () => {
      if (!held) return;
      held = false;
      unexpect();
      this.#gate.leave();
      this.#admitWaiting();
    };
    const emitting = this.#run(code, payload, opts, giveUp, planned);
    emitting.then(giveUp, giveUp);
    return emitting;
  }

  /** Start every waiting emit the gate admits now. */
  #admitWaiting(): void {
    for (let next = this.#gate.admit(); next !== undefined; next = this.#gate.admit())
      this.#startWaiting(next);
    if (this.#gate.waiting === 0) this.#room.idle();
  }

  #run(
    code: string,
    payload: unknown,
    opts: EmitOptions,
    onStored: () => void,
    onPlanned: () => void = noop,
  ): Promise<EmitResult> {
    let emitting: Promise<EmitResult>;
    try {
      const trace = this.telemetry.startEmit(code);
      emitting =
        trace === undefined
          ? this.#emit(code, payload, opts, undefined, onStored, onPlanned)
          : trace.end(this.#emit(code, payload, opts, trace, onStored, onPlanned));
    } catch (err) {
      // A tracer that throws fails this emit only; its place in the gate is still given back.
      emitting = Promise.reject(err);
    }
    return this.#pending.add(emitting);
  }

  async #emit(
    code: string,
    payload: unknown,
    opts: EmitOptions,
    trace: EmitTrace | undefined,
    onStored: () => void,
    onPlanned: () => void,
  ): Promise<EmitResult> {
    this.#assertRunning(code);
    checkEmitOptions(opts);
    const definition = this.#definition(code);
    const built = await buildBody(definition, payload, this.settings.maxBodyBytes);
    // Validation may be async: stop() can have begun meanwhile, and then nothing more is accepted.
    this.#assertRunning(code);
    const targets = targetsOf(this.endpoints, code, this.switches, this.clock.now().getTime());
    // Reserved now, before any await, so concurrent emits cannot overshoot maxInFlight + maxQueued;
    // past that the rows go in unclaimed and the worker sends them: backpressure lands in the store.
    const { size } = targets.sendable;
    const reservation = opts.trx === undefined && size > 0 ? this.capacity.reserve(size) : undefined;
    onPlanned();
    const event = this.#newEvent(definition, built, opts, targets, reservation !== undefined, trace);
    let inserted: Stored;
    try {
      inserted = await this.#store(event, opts, reservation, targets.live, trace);
    } finally {
      // Places no attempt took (a duplicate, a failed insert, a delivery the store kept back)
      // are free again at once.
      reservation?.release();
    }
    onStored();
    if ("duplicate" in inserted) return this.#duplicateResult(inserted.duplicate);
    return this.#accepted(event, opts, inserted.attempts);
  }

  #definition(code: string) {
    const def = this.registry.get(code);
    if (def) return def;
    throw new HooklineError(
      "HOOKLINE_UNKNOWN_EVENT",
      `expected one of ${this.registry.codes().join(", ") || "(no events defined)"}, got ${describeValue(code)}`,
    );
  }

  /** The event and its deliveries; `claimed`: the sendable ones go in already claimed by this emit. */
  #newEvent(
    definition: EventDefinition,
    built: BuiltBody,
    opts: EmitOptions,
    targets: Targets,
    claimed: boolean,
    trace: EmitTrace | undefined,
  ): NewEvent {
    const claim = claimed ? this.settings.worker : undefined;
    return {
      id: newId("evt"),
      code: definition.code,
      subject: built.subject,
      body: built.body,
      idempotencyKey: opts.idempotencyKey ?? null,
      createdAt: this.clock.now(),
      deliveries: newDeliveries(targets, definition, built.subject, claim),
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
      const report = await this.store.insertEvents([event], { trx: opts.trx });
      const dup = report.duplicates.get(event.id);
      if (dup) return { duplicate: dup };
      this.#afterCommit(opts.trx, report);
      return { attempts: [] };
    }
    if (this.settings.mode === "parallel" && reservation && !opts.idempotencyKey) {
      // parallel mode: the request and the insert start together; recording waits for both. Only
      // where the store cannot hold the delivery back: an ordered one may wait behind an earlier
      // one, and a breaker's circuit may be open in the store (another process opened it). Those
      // wait for the insert, or a request would go out that the store then hands to a worker.
      const inserted = this.#inserter.add(event);
      const early = this.#launch(event, reservation, trace, (d) => this.#sendsEarly(d), inserted);
      const { unclaimed, queued } = await inserted;
      const late = this.#launch(
        event,
        reservation,
        trace,
        (d) => !this.#sendsEarly(d) && !unclaimed.has(d.id),
        undefined,
        queued,
      );
      return { attempts: this.#nudgeForRest(event, unclaimed, live, [...early, ...late]) };
    }
    const { duplicate, unclaimed, queued } = await this.#inserter.add(event);
    if (duplicate) return { duplicate };
    const attempts = reservation
      ? this.#launch(event, reservation, trace, (d) => !unclaimed.has(d.id), undefined, queued)
      : [];
    return { attempts: this.#nudgeForRest(event, unclaimed, live, attempts) };
  }

  /** Parallel mode: whether `d` may go out before its insert answers (see #store). */
  #sendsEarly(d: NewDelivery): boolean {
    return d.ordered !== true && this.#unbroken.has(d.endpointId);
  }

  /**
   * Wake the worker when some live deliveries were stored for it rather than sent from here. An
   * ordered one the store kept back waits behind an earlier delivery of its subject: a claim of
   * that subject finds it once the earlier one ends (which asks for one too), without the full
   * claim's scan of the due range; asking now covers an earlier one that ended meanwhile.
   */
  #nudgeForRest(
    event: NewEvent,
    unclaimed: ReadonlySet<string>,
    live: number,
    attempts: Promise<AttemptSummary>[],
  ): Promise<AttemptSummary>[] {
    let rest = live - attempts.length;
    if (rest <= 0) return attempts;
    if (event.subject != null) {
      for (const d of event.deliveries) {
        if (!d.ordered || !d.claim || !unclaimed.has(d.id)) continue;
        this.#claimNext({ endpointId: d.endpointId, subject: event.subject });
        rest--;
      }
    }
    if (rest > 0) this.nudgeWorker();
    return attempts;
  }

  /** Launch the first attempts of the deliveries inserted claimed that `which` picks. */
  #launch(
    event: NewEvent,
    reservation: Reservation,
    trace: EmitTrace | undefined,
    which: (d: NewDelivery) => boolean,
    recordAfter?: Promise<unknown>,
    queued?: ReadonlyMap<string, readonly ClaimRef[]>,
  ): Promise<AttemptSummary>[] {
    const claimedAt = event.createdAt.getTime();
    const { leaseMs } = this.settings.worker;
    // The first attempts are children of the emit span in memory, not through the stored copy.
    const parent = trace?.context;
    return claimedOnInsert(event, which).map((claim) => {
      const job = toJob(claim, claimedAt, leaseMs, parent);
      // Ordered, behind claims this process holds: it goes once they have ended.
      const ahead = queued?.get(claim.id);
      if (ahead !== undefined) return this.pipeline.launchBehind(job, ahead);
      return this.pipeline.launch(job, { reservation, recordAfter });
    });
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
    if (this.#stopped) throw notRunning(code);
  }

  /** Refuse new emits, wait for those under way, and for queued inserts to be written. */
  /**
   * Refuse emit() calls from now on, and fail those still waiting for room (never accepted).
   * Emits already admitted go on until stop().
   */
  refuse(): void {
    this.#refusing = true;
    this.#room.close();
    for (const w of this.#gate.takeWaiting()) w.settle(Promise.reject(notRunning(w.code)));
  }

  async stop(): Promise<void> {
    this.refuse();
    await Promise.allSettled(this.#pending.toArray());
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
  // Its supersedes are counted once committed: a rollback undoes them.
  #afterCommit(trx: unknown, report: InsertReport): void {
    this.store.transactionOutcome?.(trx)?.then(
      (outcome) => {
        if (outcome !== "committed") return;
        countSuperseded(report, this.telemetry, this.#logger);
        this.nudgeWorker();
      },
      () => {},
    );
  }
}
