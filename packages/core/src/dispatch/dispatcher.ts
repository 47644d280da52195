import type { EventEmitter } from "eventemitter3";
import type { DeliveryStore, InsertReport, NewEvent } from "../contracts/store.js";
import { type ResolvedEndpoint, subscribes } from "../endpoints/endpoint-config.js";
import { describeValue, HooklineError } from "../errors/hookline-error.js";
import type { EventRegistry } from "../events/registry.js";
import type { LifecycleEvents } from "../lifecycle.js";
import type { ResolvedSettings } from "../options.js";
import type { Clock } from "../util/clock.js";
import { newId } from "../util/ids.js";
import { assertKnownKeys, keysOf } from "../util/strict-keys.js";
import { trackUntilSettled } from "../util/track.js";
import { buildBody } from "./build-body.js";
import type { EndpointSwitches } from "./endpoint-switches.js";
import { ItemFailure, MicroBatcher } from "./micro-batcher.js";
import type { AttemptSummary, DeliveryPipeline } from "./pipeline.js";
import { withStoreRetry } from "./store-retry.js";

/** Per-call options of emit(). */
export interface EmitOptions {
  /** A second emit with the same key returns the original event and sends nothing. */
  readonly idempotencyKey?: string;
  /** A knex transaction (or the store's equivalent): the event commits or rolls back with it. */
  readonly trx?: unknown;
  /** "accepted": resolve once stored; "attempted": also wait for the first attempts. @default "accepted" */
  readonly wait?: "accepted" | "attempted";
}

/** What emit() resolves with. */
export interface EmitResult {
  readonly eventId: string;
  /** True when the idempotency key was seen before: these are the original event's ids. */
  readonly duplicate: boolean;
  readonly deliveries: readonly { readonly id: string; readonly endpointId: string }[];
  /** Present with `wait: "attempted"`: the first attempt of each delivery sent by this call. */
  readonly attempts?: readonly AttemptSummary[];
}

type Duplicate = InsertReport["duplicates"] extends ReadonlyMap<string, infer V> ? V : never;

/** The emit path: process → track → record. */
export class Dispatcher {
  readonly #inserter: MicroBatcher<NewEvent, Duplicate | null>;
  #stopped = false;
  readonly #pending = new Set<Promise<EmitResult>>();

  constructor(
    private readonly store: DeliveryStore,
    private readonly registry: EventRegistry,
    private readonly endpoints: readonly ResolvedEndpoint[],
    private readonly pipeline: DeliveryPipeline,
    private readonly switches: EndpointSwitches,
    private readonly events: EventEmitter<LifecycleEvents>,
    private readonly clock: Clock,
    private readonly settings: ResolvedSettings,
    private readonly nudgeWorker: () => void,
  ) {
    this.#inserter = new MicroBatcher(
      async (batch) => {
        try {
          const report = await withStoreRetry("inserting events", () => this.store.insertEvents(batch), 3);
          return batch.map((ev) => report.duplicates.get(ev.id) ?? null);
        } catch (err) {
          if (batch.length === 1) throw err;
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
      { maxSize: settings.insertBatchSize, maxConcurrent: settings.insertConcurrency },
    );
  }

  /** Validate, store and send one event; stop() waits for emits already under way. */
  emit(code: string, payload: unknown, opts: EmitOptions = {}): Promise<EmitResult> {
    return trackUntilSettled(this.#pending, this.#emit(code, payload, opts));
  }

  async #emit(code: string, payload: unknown, opts: EmitOptions): Promise<EmitResult> {
    this.#assertRunning(code);
    checkEmitOptions(opts);
    const def = this.registry.get(code);
    if (!def) {
      throw new HooklineError(
        "HOOKLINE_UNKNOWN_EVENT",
        `expected one of ${this.registry.codes().join(", ") || "(no events defined)"}, got ${describeValue(code)}`,
      );
    }
    const { body, subject } = await buildBody(def, payload, this.settings.maxBodyBytes);
    // Validation may be async: stop() can have begun meanwhile, and then nothing more is accepted.
    this.#assertRunning(code);
    const subscribed = this.endpoints.filter((e) => subscribes(e, code));
    const off = new Set(subscribed.filter((e) => this.switches.disabled.has(e.id)).map((e) => e.id));
    const live = subscribed.length - off.size;
    const viaTrx = opts.trx !== undefined;
    // Reserved now, before any await, so concurrent emits cannot overshoot maxInFlight + maxQueued;
    // past that the rows go in unclaimed and the worker sends them: backpressure lands in the store.
    const sendNow = !viaTrx && live > 0 && this.pipeline.slots.tryReserve(live);
    const { leaseMs, workerId } = this.settings.worker;
    const createdAt = this.clock.now();
    const event: NewEvent = {
      id: newId("evt"),
      code,
      subject,
      body,
      idempotencyKey: opts.idempotencyKey ?? null,
      createdAt,
      deliveries: subscribed.map((ep) => ({
        id: newId("dlv"),
        endpointId: ep.id,
        // A disabled endpoint still gets its row, cancelled, so the event stays replayable there.
        ...(off.has(ep.id)
          ? { cancelled: true }
          : sendNow
            ? { claim: { token: newId("clm"), leaseMs, workerId } }
            : {}),
      })),
    };
    const jobs = () =>
      event.deliveries
        .filter((d) => d.claim)
        .map((d) => ({
          deliveryId: d.id,
          eventId: event.id,
          eventCode: code,
          endpointId: d.endpointId,
          body,
          attempt: 1,
          claimToken: d.claim!.token,
          leaseExpiresAt: createdAt.getTime() + leaseMs,
          createdAt,
        }));
    let attempts: Promise<AttemptSummary>[] = [];
    try {
      if (viaTrx) {
        const dup = (await this.store.insertEvents([event], { trx: opts.trx })).duplicates.get(event.id);
        if (dup) return await this.#duplicateResult(dup);
        this.#nudgeAfterCommit(opts.trx);
      } else if (this.settings.mode === "parallel" && sendNow && !opts.idempotencyKey) {
        // parallel mode: the request and the insert start together; recording waits for both.
        const inserted = this.#inserter.add(event);
        attempts = jobs().map((job) => this.pipeline.launch(job, { reserved: true, recordAfter: inserted }));
        await inserted;
      } else {
        const dup = await this.#inserter.add(event);
        if (dup) {
          if (sendNow) this.pipeline.slots.unreserve(live);
          return await this.#duplicateResult(dup);
        }
        if (sendNow) attempts = jobs().map((job) => this.pipeline.launch(job, { reserved: true }));
        else if (live > 0) this.nudgeWorker();
      }
    } catch (err) {
      if (sendNow && attempts.length === 0) this.pipeline.slots.unreserve(live);
      throw err;
    }
    const deliveries = event.deliveries.map((d) => ({ id: d.id, endpointId: d.endpointId }));
    if (this.events.listenerCount("event.accepted") > 0)
      this.events.emit("event.accepted", {
        eventId: event.id,
        eventCode: code,
        subject,
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

  #nudgeAfterCommit(trx: unknown): void {
    const done = (trx as { executionPromise?: Promise<unknown> }).executionPromise;
    if (done && typeof done.then === "function") done.then(this.nudgeWorker, () => {});
  }
}

/** Every key of EmitOptions; another (`idempotencykey`) is an error before anything is stored. */
export const EMIT_OPTION_KEYS = keysOf<EmitOptions>({ idempotencyKey: true, trx: true, wait: true });

function checkEmitOptions(opts: EmitOptions): void {
  assertKnownKeys(opts, EMIT_OPTION_KEYS, "emit options");
  const key = opts.idempotencyKey;
  if (key !== undefined && (typeof key !== "string" || key.length === 0 || key.length > 200)) {
    throw new HooklineError(
      "HOOKLINE_INVALID_OPTION",
      `idempotencyKey: expected a string of 1–200 chars, got ${describeValue(key)}`,
    );
  }
  if (opts.wait !== undefined && opts.wait !== "accepted" && opts.wait !== "attempted") {
    throw new HooklineError(
      "HOOKLINE_INVALID_OPTION",
      `wait: expected "accepted" or "attempted", got ${describeValue(opts.wait)}`,
    );
  }
}
