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

  /** Slots left before maxInFlight. */
  get free(): number {
    return this.settings.maxInFlight - this.#inFlight.size;
  }

  /** Attempts currently running or being recorded. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /**
   * Send `job` and record the result. `recordAfter` (parallel mode: the insert) must settle before
   * the completion is written; if it rejects, nothing is recorded.
   */
  launch(job: AttemptJob, recordAfter?: Promise<unknown>): Promise<AttemptSummary> {
    const p = this.#attempt(job, recordAfter);
    this.#inFlight.add(p);
    const untrack = () => this.#inFlight.delete(p);
    p.then(untrack, untrack);
    return p;
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

  /** Wait for in-flight attempts; past `graceMs`, abort them (they still get recorded). */
  async drain(graceMs: number): Promise<void> {
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
