import { setMaxListeners } from "node:events";
import type { EventEmitter } from "eventemitter3";
import type { AttemptResult, ClaimRef, DeliveryStore, NextState } from "../contracts/store.js";
import type { DeliveryOutcome } from "../contracts/transport.js";
import type { ErrorCode } from "../errors/codes.js";
import type { LifecycleEvents } from "../lifecycle.js";
import { END_EVENT } from "../lifecycle.js";
import type { ResolvedSettings } from "../options.js";
import type { Telemetry } from "../telemetry/telemetry.js";
import type { Clock } from "../util/clock.js";
import type { Logger } from "../util/logger.js";
import { SettleList } from "../util/settle-list.js";
import type { AttemptJob } from "./attempt-job.js";
import type { AttemptRunner } from "./attempt-runner.js";
import type { Capacity, Reservation } from "./capacity.js";
import type { ControlSignals } from "./control-signals.js";
import type { EndpointSwitches } from "./endpoint-switches.js";
import { MicroBatcher } from "./micro-batcher.js";
import { withStoreRetry } from "./store-retry.js";
import { SubjectLines } from "./subject-lines.js";

/** What an awaited attempt reports back to emit(). */
export interface AttemptSummary {
  readonly deliveryId: string;
  readonly endpointId: string;
  readonly outcome: DeliveryOutcome;
  readonly next: NextState;
  /** False when nothing was recorded (fenced out, given back unsent, or the write failed). */
  readonly recorded: boolean;
}

/** What a send slot yields: a result to record, or the summary of a job given back unsent. */
export type SendOutcome = { readonly result: AttemptResult } | { readonly unsent: AttemptSummary };

/** What the pipeline is built from. */
export interface PipelineOptions {
  readonly store: DeliveryStore;
  readonly runner: AttemptRunner;
  readonly switches: EndpointSwitches;
  readonly events: EventEmitter<LifecycleEvents>;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Shared with emit() and the worker; the pipeline runs its sends in it. */
  readonly capacity: Capacity<SendOutcome>;
  /** The claim lease; a queued job with less than half of it left is given back, not sent. */
  readonly leaseMs: number;
  readonly writes: ResolvedSettings["writes"];
  /** Counts deliveries reaching an end state. */
  readonly telemetry: Telemetry;
  /** Endpoint limits for complete(), circuit announcements, and wake-ups for the worker. */
  readonly control: ControlSignals;
}

const unsent = (job: AttemptJob, message: string, code: ErrorCode = "HOOKLINE_ABORTED"): AttemptSummary => ({
  deliveryId: job.deliveryId,
  endpointId: job.endpointId,
  outcome: { kind: "retryable", durationMs: 0, error: { code, message } },
  next: { status: "pending", delayMs: 0 },
  recorded: false,
});

/**
 * Runs attempts and records them: shared by emit()'s first attempts and the worker's retries.
 * Bounds what is in flight, batches completions into multi-row store writes, fires lifecycle
 * events, and disables endpoints that answer 410.
 *
 * A slot covers the send only: once the response is in, the slot goes to the next attempt while
 * the result waits to be recorded, so completions can gather into large batches without holding
 * sends back. Capacity bounds both (see capacity.ts).
 */
export class DeliveryPipeline {
  readonly #abort = new AbortController();
  readonly #settling = new SettleList<AttemptSummary>();
  /** Attempts of deliveries with a subject: what a queued delivery waits for. */
  readonly #lines = new SubjectLines();
  /** Queued deliveries waiting for their turn; past maxQueued they are given back instead. */
  #waiting = 0;
  #draining = false;
  /** Resolves each caller with whether its own result was applied (false: fenced out). */
  readonly #completer: MicroBatcher<AttemptResult, boolean>;
  readonly #store: DeliveryStore;
  readonly #runner: AttemptRunner;
  readonly #switches: EndpointSwitches;
  readonly #events: EventEmitter<LifecycleEvents>;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #capacity: Capacity<SendOutcome>;
  readonly #leaseMs: number;
  readonly #telemetry: Telemetry;
  readonly #control: ControlSignals;

  constructor(opts: PipelineOptions) {
    this.#store = opts.store;
    this.#runner = opts.runner;
    this.#switches = opts.switches;
    this.#events = opts.events;
    this.#clock = opts.clock;
    this.#logger = opts.logger;
    this.#capacity = opts.capacity;
    this.#leaseMs = opts.leaseMs;
    this.#telemetry = opts.telemetry;
    this.#control = opts.control;
    // Every running send gets this one stop signal; a transport may listen on it once per send
    // (the memory transport does), so up to maxInFlight listeners are expected, not a leak.
    setMaxListeners(this.#capacity.maxInFlight + 10, this.#abort.signal);
    const { completeBatchSize, completeLingerMs, completeRetries } = opts.writes;
    this.#completer = new MicroBatcher(
      async (results) => {
        const { controls } = this.#control;
        const report = await withStoreRetry(
          "recording attempts",
          () => this.#store.complete(results, { controls }),
          completeRetries,
        );
        this.#control.circuits(report.circuits);
        // Fan the one report back out so each caller learns whether its own result was applied.
        const applied = new Set(report.applied);
        return results.map((r) => applied.has(r.deliveryId));
      },
      // Completions are off every caller's latency path, so they may linger a little to batch, and
      // one write at a time lets the next batch grow while the last commits (~200 rows under load
      // against ~90 with two at a time; each row then costs the store less).
      { maxSize: completeBatchSize, maxConcurrent: 1, lingerMs: completeLingerMs },
    );
  }

  /**
   * Send `job` and record the result. Past maxInFlight the (already claimed) job waits in memory,
   * its lease held. `reservation`: emit() reserved the place beforehand. `recordAfter` (parallel
   * mode: the insert) must settle before the completion is written.
   */
  launch(
    job: AttemptJob,
    opts: { reservation?: Reservation; recordAfter?: Promise<unknown> } = {},
  ): Promise<AttemptSummary> {
    const sent = this.#capacity.run(() => this.#send(job), opts.reservation, job);
    const done = sent.then((s) => ("unsent" in s ? s.unsent : this.#record(job, s.result, opts.recordAfter)));
    // Only an ordered endpoint's deliveries are ever queued behind one another.
    if (this.#control.ordered(job.endpointId)) this.#lines.follow(job, done, true);
    return this.#settling.add(done);
  }

  /**
   * Send `job`, an ordered delivery the store left claimed behind the claims `ahead`
   * (InsertReport.queued), once this process has recorded each of them as ended. If it has not (a
   * retry is due, a result was fenced out, a claim is not this process's any more, the circuit is
   * held, or stop() has begun), the claim goes back and the subject's next delivery is claimed
   * the usual way.
   */
  launchBehind(job: AttemptJob, ahead: readonly ClaimRef[]): Promise<AttemptSummary> {
    // Memory stays bounded: past maxQueued waiting here, it waits in the store instead.
    if (this.#waiting >= this.#capacity.maxQueued) return this.#settling.add(this.#giveBackQueued(job));
    this.#waiting++;
    const done = this.#lines.turn(job, ahead).then(
      (mayGo) => {
        this.#waiting--;
        const held = this.#switches.circuits.holds(job.endpointId, this.#clock.now().getTime());
        if (mayGo && !held && !this.#draining) return this.launch(job);
        return this.#giveBackQueued(job);
      },
      () => {
        this.#waiting--;
        return this.#giveBackQueued(job);
      },
    );
    // Followed from now, not from its launch: a delivery may be queued behind this one already.
    this.#lines.follow(job, done, false);
    return this.#settling.add(done);
  }

  async #giveBackQueued(job: AttemptJob): Promise<AttemptSummary> {
    await this.release([job], "the delivery ahead of it was not recorded as ended here");
    this.#control.released(job.endpointId, job.subject);
    return unsent(job, "given back unsent: the delivery ahead of it was not recorded as ended here");
  }

  async #send(job: AttemptJob): Promise<SendOutcome> {
    // A job that waited too long for a slot might outlive its lease mid-send and be sent twice;
    // give the claim back instead, so exactly one worker re-claims it with a fresh lease.
    if (job.leaseExpiresAt - this.#clock.now().getTime() < this.#leaseMs / 2) {
      await this.release([job], "lease too short after waiting for a slot");
      this.#control.released(job.endpointId, job.subject);
      return { unsent: unsent(job, "given back unsent: its lease ran short while it waited for a slot") };
    }
    let result: AttemptResult | null;
    try {
      result = await this.#runner.run(job, this.#abort.signal);
    } catch (error) {
      // run() maps every transport failure; a throw is a bug (signing, a retry schedule). Give
      // the claim back so the delivery is due again now, not only when its lease runs out.
      this.#events.emit("error", { error, context: `attempt ${job.attempt} of ${job.deliveryId}` });
      await this.release([job], "the attempt threw before it could be recorded");
      return { unsent: unsent(job, "given back unsent: the attempt threw") };
    }
    if (result === null) {
      // Not ours to send or to fail: the claim goes back, its attempt un-counted, for a process
      // that knows the endpoint. The worker never claims such rows; this covers a job in hand anyway.
      await this.release([job], `endpoint "${job.endpointId}" is not configured in this process`);
      return {
        unsent: unsent(
          job,
          `given back unsent: endpoint "${job.endpointId}" is not configured in this process`,
          "HOOKLINE_ENDPOINT_UNKNOWN",
        ),
      };
    }
    // The slot is kept until the result has room to wait for its write.
    const room = this.#capacity.startRecording();
    if (room) await room;
    return { result };
  }

  async #record(
    job: AttemptJob,
    result: AttemptResult,
    recordAfter?: Promise<unknown>,
  ): Promise<AttemptSummary> {
    try {
      return await this.#recordOne(job, result, recordAfter);
    } finally {
      this.#capacity.doneRecording();
    }
  }

  async #recordOne(
    job: AttemptJob,
    result: AttemptResult,
    recordAfter?: Promise<unknown>,
  ): Promise<AttemptSummary> {
    const summary = (recorded: boolean): AttemptSummary => ({
      deliveryId: job.deliveryId,
      endpointId: job.endpointId,
      outcome: result.outcome,
      next: result.next,
      recorded,
    });
    if (recordAfter) {
      try {
        await recordAfter;
      } catch {
        return summary(false);
      }
    }
    let recorded = false;
    try {
      recorded = await this.#completer.add(result);
    } catch (error) {
      // The lease will expire and another worker re-sends: a duplicate, never a loss.
      this.#events.emit("error", { error, context: `recording attempt ${job.attempt} of ${job.deliveryId}` });
      return summary(false);
    }
    if (!recorded) {
      this.#logger.debug({ deliveryId: job.deliveryId }, "completion fenced out: lease lost");
      return summary(false);
    }
    if (result.next.status !== "pending")
      this.#telemetry.deliveryCompleted(job.endpointId, result.next.status);
    this.#control.recorded(result, job.subject);
    this.#announce(job, result);
    if (result.outcome.disableEndpoint) {
      await this.#switches.disable(job.endpointId, "receiver answered 410 Gone", { automatic: true });
    }
    return summary(true);
  }

  #announce(job: AttemptJob, result: AttemptResult): void {
    const name =
      result.next.status === "pending" ? "delivery.retry_scheduled" : END_EVENT[result.next.status];
    // Most attempts have no listener; the event object is not worth building for nobody.
    if (this.#events.listenerCount(name) === 0) return;
    const info = {
      deliveryId: job.deliveryId,
      eventId: job.eventId,
      eventCode: job.eventCode,
      endpointId: job.endpointId,
      attempt: job.attempt,
      outcome: result.outcome,
    };
    if (result.next.status === "pending") {
      const nextAttemptAt = new Date(this.#clock.now().getTime() + result.next.delayMs);
      this.#events.emit("delivery.retry_scheduled", { ...info, delayMs: result.next.delayMs, nextAttemptAt });
    } else {
      this.#events.emit(END_EVENT[result.next.status], info);
    }
  }

  /**
   * Give claims back unsent (due again now, attempt un-counted). Never throws: if the store fails,
   * the leases expire instead.
   */
  async release(jobs: readonly AttemptJob[], why: string): Promise<void> {
    if (jobs.length === 0) return;
    try {
      await this.#store.release(jobs.map((j) => ({ deliveryId: j.deliveryId, claimToken: j.claimToken })));
    } catch (error) {
      this.#events.emit("error", {
        error,
        context: `releasing ${jobs.length} claim(s): ${why} (their leases will expire)`,
      });
    }
  }

  /** Attempts launched and not yet settled (sending, waiting for a slot, or being recorded). */
  get unsettled(): number {
    return this.#settling.size;
  }

  /**
   * Abort every send in flight, and any started later: each is recorded as due again, not as a
   * failure. stop() calls it when its grace period is over.
   */
  abortSends(): void {
    if (!this.#abort.signal.aborted) this.#abort.abort();
  }

  /**
   * Give queued (claimed, never started) jobs back to the store, then wait for in-flight attempts
   * (abortSends() ends them) and for their results to be recorded.
   */
  async drain(): Promise<void> {
    this.#draining = true;
    const unstarted = this.#capacity.takeQueued();
    if (unstarted.length > 0) {
      const jobs = unstarted.map((q) => q.tag as AttemptJob);
      await this.release(jobs, "stop() before they started");
      for (const [i, q] of unstarted.entries())
        q.resolve({ unsent: unsent(jobs[i]!, "given back unsent at stop()") });
    }
    await Promise.allSettled(this.#capacity.running);
    // Sends are over; what they produced is recorded (and announced) before stop() returns.
    await Promise.allSettled(this.#settling.toArray());
    await this.#completer.drain();
  }
}
