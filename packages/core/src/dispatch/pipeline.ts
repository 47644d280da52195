import type { EventEmitter } from "eventemitter3";
import type { AttemptResult, CompletionReport, DeliveryStore, NextState } from "../contracts/store.js";
import type { DeliveryOutcome } from "../contracts/transport.js";
import type { LifecycleEvents } from "../lifecycle.js";
import { lifecycleFor } from "../lifecycle.js";
import type { Clock } from "../util/clock.js";
import type { Logger } from "../util/logger.js";
import type { AttemptJob, AttemptRunner } from "./attempt-runner.js";
import { MicroBatcher } from "./micro-batcher.js";
import { withStoreRetry } from "./store-retry.js";

/** What an awaited attempt reports back to emit(). */
export interface AttemptSummary {
  readonly deliveryId: string;
  readonly endpointId: string;
  readonly outcome: DeliveryOutcome;
  readonly next: NextState;
  /** False when the completion was fenced out (another worker owns the delivery now). */
  readonly recorded: boolean;
}

/** Settings of the pipeline. */
export interface PipelineSettings {
  readonly maxInFlight: number;
  /** Claimed first attempts that may wait in memory for a slot. */
  readonly maxQueued: number;
  readonly completeBatchSize: number;
  readonly storeRetries: number;
}

/**
 * Runs attempts and records them: shared by emit()'s first attempts and the worker's retries.
 * Tracks what is in flight (for backpressure and graceful stop), batches completions into
 * multi-row store writes, fires lifecycle events, and disables endpoints that answer 410.
 */
export class DeliveryPipeline {
  readonly #inFlight = new Set<Promise<unknown>>();
  #slotWaiters: (() => void)[] = [];
  #queue: {
    job: AttemptJob;
    recordAfter: Promise<unknown> | undefined;
    resolve: (s: AttemptSummary) => void;
    reject: (e: unknown) => void;
  }[] = [];
  readonly #abort = new AbortController();
  readonly #completer: MicroBatcher<AttemptResult, CompletionReport>;
  readonly disabled = new Set<string>();

  constructor(
    private readonly store: DeliveryStore,
    private readonly runner: AttemptRunner,
    private readonly events: EventEmitter<LifecycleEvents>,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly settings: PipelineSettings,
  ) {
    this.#completer = new MicroBatcher(
      async (results) => {
        const report = await withStoreRetry(
          "recording attempts",
          () => this.store.complete(results),
          settings.storeRetries,
        );
        // Fan the one report back out so each caller learns whether its own result was applied.
        const applied = new Set(report.applied);
        return results.map(
          (r): CompletionReport =>
            applied.has(r.deliveryId)
              ? { applied: [r.deliveryId], stale: [] }
              : { applied: [], stale: [r.deliveryId] },
        );
      },
      { maxSize: settings.completeBatchSize, maxConcurrent: 2 },
    );
  }

  /** How many more first attempts emit() may hand over now (running slots plus queue room). */
  get free(): number {
    return this.settings.maxInFlight + this.settings.maxQueued - this.#inFlight.size - this.#queue.length;
  }

  /** How many deliveries the worker may claim now: only into idle slots, never into the queue. */
  get claimable(): number {
    return Math.max(0, this.settings.maxInFlight - this.#inFlight.size - this.#queue.length);
  }

  /** Attempts currently running or being recorded. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /**
   * Send `job` and record the result; past maxInFlight the (already claimed) job waits in a
   * bounded in-memory queue, its lease still held, rather than going back to the store.
   * `recordAfter` (parallel mode: the insert) must settle before the completion is written.
   */
  launch(job: AttemptJob, recordAfter?: Promise<unknown>): Promise<AttemptSummary> {
    if (this.#inFlight.size < this.settings.maxInFlight) return this.#start(job, recordAfter);
    return new Promise((resolve, reject) => this.#queue.push({ job, recordAfter, resolve, reject }));
  }

  #start(job: AttemptJob, recordAfter?: Promise<unknown>): Promise<AttemptSummary> {
    const p = this.#attempt(job, recordAfter);
    this.#inFlight.add(p);
    const untrack = () => {
      this.#inFlight.delete(p);
      const next = this.#queue.shift();
      if (next) this.#start(next.job, next.recordAfter).then(next.resolve, next.reject);
      for (const wake of this.#slotWaiters.splice(0)) wake();
    };
    p.then(untrack, untrack);
    return p;
  }

  /** Resolve when a slot frees up for the worker, or when `signal` aborts. */
  waitForSlot(signal: AbortSignal): Promise<void> {
    if (this.claimable > 0 || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      this.#slotWaiters.push(resolve);
      signal.addEventListener("abort", () => resolve(), { once: true });
    });
  }

  async #attempt(job: AttemptJob, recordAfter?: Promise<unknown>): Promise<AttemptSummary> {
    const result = await this.runner.run(job, this.#abort.signal);
    const summary = {
      deliveryId: job.deliveryId,
      endpointId: job.endpointId,
      outcome: result.outcome,
      next: result.next,
    };
    if (recordAfter) {
      try {
        await recordAfter;
      } catch {
        return { ...summary, recorded: false };
      }
    }
    let recorded = false;
    try {
      recorded = (await this.#completer.add(result)).applied.length === 1;
    } catch (error) {
      // The lease will expire and another worker re-sends: a duplicate, never a loss.
      this.events.emit("error", { error, context: `recording attempt ${job.attempt} of ${job.deliveryId}` });
      return { ...summary, recorded: false };
    }
    if (!recorded) {
      this.logger.debug("completion fenced out: lease lost", { deliveryId: job.deliveryId });
      return { ...summary, recorded };
    }
    this.#announce(job, result);
    if (result.outcome.disableEndpoint)
      await this.disableEndpoint(job.endpointId, "receiver answered 410 Gone");
    return { ...summary, recorded };
  }

  #announce(job: AttemptJob, result: AttemptResult): void {
    const info = {
      deliveryId: job.deliveryId,
      eventId: job.eventId,
      eventCode: job.eventCode,
      endpointId: job.endpointId,
      attempt: job.attempt,
      outcome: result.outcome,
    };
    const name = lifecycleFor(result.next);
    if (result.next.status === "pending") {
      const nextAttemptAt = new Date(this.clock.now().getTime() + result.next.delayMs);
      this.events.emit("delivery.retry_scheduled", { ...info, delayMs: result.next.delayMs, nextAttemptAt });
    } else {
      this.events.emit(name as "delivery.succeeded", info);
    }
  }

  /** Persist the switch, cancel the endpoint's pending deliveries and announce it. */
  async disableEndpoint(endpointId: string, reason: string): Promise<void> {
    if (this.disabled.has(endpointId)) return;
    this.disabled.add(endpointId);
    try {
      const { cancelled } = await this.store.setEndpointDisabled(endpointId, true, reason);
      this.logger.warn("endpoint disabled", { endpointId, reason, cancelled });
      this.events.emit("endpoint.disabled", { endpointId, reason });
    } catch (error) {
      this.events.emit("error", { error, context: `disabling endpoint ${endpointId}` });
    }
  }

  /** Reload persisted endpoint switches (an admin may have changed them from another process). */
  async refreshEndpointStates(): Promise<void> {
    const states = await this.store.getEndpointStates();
    this.disabled.clear();
    for (const s of states) if (s.disabled) this.disabled.add(s.endpointId);
  }

  /**
   * Give queued (claimed, never started) jobs back to the store, then wait for in-flight attempts;
   * past `graceMs`, abort them (they still get recorded).
   */
  async drain(graceMs: number): Promise<void> {
    const unstarted = this.#queue.splice(0);
    if (unstarted.length > 0) {
      try {
        await this.store.release(
          unstarted.map((q) => ({ deliveryId: q.job.deliveryId, claimToken: q.job.claimToken })),
        );
      } catch (error) {
        this.events.emit("error", {
          error,
          context: "releasing queued claims at stop (their leases will expire)",
        });
      }
      for (const q of unstarted) {
        q.resolve({
          deliveryId: q.job.deliveryId,
          endpointId: q.job.endpointId,
          outcome: {
            kind: "retryable",
            durationMs: 0,
            error: { code: "HOOKLINE_ABORTED", message: "released unsent at stop()" },
          },
          next: { status: "pending", delayMs: 0 },
          recorded: false,
        });
      }
    }
    const all = () => Promise.allSettled([...this.#inFlight]);
    let timer: ReturnType<Clock["setTimeout"]> | undefined;
    const grace = new Promise<"timeout">((resolve) => {
      timer = this.clock.setTimeout(() => resolve("timeout"), graceMs);
    });
    const first = await Promise.race([all(), grace]);
    if (timer) this.clock.clearTimeout(timer);
    if (first === "timeout") {
      this.#abort.abort();
      await all();
    }
    await this.#completer.drain();
  }
}
