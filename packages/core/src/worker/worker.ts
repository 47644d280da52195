import type { EventEmitter } from "eventemitter3";
import type { EndpointControl } from "../contracts/delivery-control.js";
import type { ClaimedDelivery, DeliveryStore, SubjectKey } from "../contracts/store.js";
import { toJob } from "../dispatch/attempt-job.js";
import type { CapacityView } from "../dispatch/capacity.js";
import type { EndpointSwitches } from "../dispatch/endpoint-switches.js";
import type { DeliveryPipeline } from "../dispatch/pipeline.js";
import type { LifecycleEvents } from "../lifecycle.js";
import type { ResolvedSettings } from "../options.js";
import { type Clock, sleep, type TimerHandle } from "../util/clock.js";
import type { Logger } from "../util/logger.js";
import { IdleWait } from "./idle-wait.js";
import { SuccessorClaims } from "./successor-claims.js";

/** The reason a nudge aborts the wait with: any value but undefined spares abort() a DOMException. */
const WOKEN = "nudged";

/** Worker settings, resolved and frozen by createHookline. */
export type WorkerSettings = ResolvedSettings["worker"];

/** What a Worker is built from. */
export interface WorkerOptions {
  readonly store: DeliveryStore;
  readonly pipeline: DeliveryPipeline;
  /** Read for free send slots: the worker claims no more than it can start. */
  readonly capacity: CapacityView;
  readonly switches: EndpointSwitches;
  readonly events: EventEmitter<LifecycleEvents>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly settings: WorkerSettings;
  /** Every configured endpoint, disabled ones included: the only deliveries this worker claims. */
  readonly endpointIds: readonly string[];
  /** Every configured endpoint's limits and breaker, enforced by the store at each claim. */
  readonly controls: readonly EndpointControl[];
}

/** One pass's claim: what came back, how many were asked for, and when. */
interface Claim {
  readonly claimed: readonly ClaimedDelivery[];
  readonly limit: number;
  readonly claimedAt: number;
}

/**
 * The retry worker: claims due deliveries in batches (leased, so any number of processes can
 * share one store), hands them to the pipeline, and sleeps when idle. It backs off exponentially
 * while the store is unavailable and never holds more claims than it has free slots.
 */
export class Worker {
  #running = false;
  #loop: Promise<void> | undefined;
  #wake = new AbortController();
  #wakeTimer: TimerHandle | undefined;
  #wakeAt = Number.POSITIVE_INFINITY;
  readonly #claimFloor: number;
  #failures = 0;
  #lastRefresh = Number.NEGATIVE_INFINITY;
  #lastHealthCheck = Number.NEGATIVE_INFINITY;
  readonly #store: DeliveryStore;
  readonly #pipeline: DeliveryPipeline;
  readonly #capacity: CapacityView;
  readonly #switches: EndpointSwitches;
  readonly #events: EventEmitter<LifecycleEvents>;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #settings: WorkerSettings;
  readonly #endpointIds: readonly string[];
  readonly #controls: readonly EndpointControl[];
  readonly #idle: IdleWait;
  readonly #successors: SuccessorClaims;
  #waitingForRoom = false;

  constructor(opts: WorkerOptions) {
    this.#store = opts.store;
    this.#pipeline = opts.pipeline;
    this.#capacity = opts.capacity;
    this.#switches = opts.switches;
    this.#events = opts.events;
    this.#clock = opts.clock;
    this.#logger = opts.logger;
    this.#settings = opts.settings;
    this.#endpointIds = opts.endpointIds;
    this.#controls = opts.controls;
    this.#idle = new IdleWait(opts.settings.pollIntervalMs, opts.controls);
    const { batchSize } = opts.settings;
    this.#claimFloor = Math.max(1, Math.min(batchSize, Math.floor(opts.capacity.maxInFlight / 4)));
    const { leaseMs, workerId } = opts.settings;
    this.#successors = new SuccessorClaims({
      store: opts.store,
      capacity: opts.capacity,
      clock: opts.clock,
      logger: opts.logger,
      leaseMs,
      batchSize,
      workerId,
      endpointIds: opts.endpointIds,
      controls: opts.controls,
      active: () => this.#running,
      launch: (claimed, claimedAt, reservation) => {
        for (const c of claimed) void this.#pipeline.launch(toJob(c, claimedAt, leaseMs), { reservation });
      },
      giveBack: (claimed, claimedAt) =>
        this.#pipeline.release(
          claimed.map((c) => toJob(c, claimedAt, leaseMs)),
          "claimed after stop() was asked",
        ),
      nudge: () => this.nudge(),
    });
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
    this.#logger.info({ workerId: this.#settings.workerId }, "worker started");
  }

  /** Look for due work now (e.g. after an outbox commit or a short retry). */
  nudge(): void {
    // Work may have come for a rate-limited endpoint: take its tokens as they refill for a while.
    this.#idle.woken(this.#clock.now().getTime());
    // Waiting for a free slot, the loop claims as soon as one frees up, the earliest a claim
    // could take anything: waking it would only send it back to wait. Each end of an ordered
    // delivery in a busy process asks for a claim of its subject's next one, so this is common.
    if (!this.#waitingForRoom) this.#wakeNow();
  }

  #wakeNow(): void {
    // A reason of our own: without one, abort() builds a DOMException with its stack trace.
    if (!this.#wake.signal.aborted) this.#wake.abort(WOKEN);
  }

  /** An ordered delivery of `key` ended in this process: claim its subject's next one now. */
  claimNext(key: SubjectKey): void {
    this.#successors.add(key);
  }

  /** Look for due work after `ms` (a retry due sooner than the next poll). */
  nudgeIn(ms: number): void {
    if (!this.#running || ms >= this.#settings.pollIntervalMs) return;
    const at = this.#clock.now().getTime() + ms;
    // Keep the earliest pending wake-up: a later retry must not push back an earlier one.
    if (this.#wakeTimer && this.#wakeAt <= at) return;
    if (this.#wakeTimer) this.#clock.clearTimeout(this.#wakeTimer);
    this.#wakeAt = at;
    this.#wakeTimer = this.#clock.setTimeout(() => {
      this.#wakeTimer = undefined;
      this.#wakeAt = Number.POSITIVE_INFINITY;
      this.nudge();
    }, ms);
  }

  /** Stop claiming; resolves when the loop has exited. In-flight attempts are drained by the caller. */
  async stop(): Promise<void> {
    this.#running = false;
    if (this.#wakeTimer) this.#clock.clearTimeout(this.#wakeTimer);
    this.#wakeNow();
    await this.#loop;
    await this.#successors.settled();
  }

  async #run(): Promise<void> {
    while (this.#running) {
      const wake = this.#wake.signal;
      let claim: Claim;
      try {
        claim = await this.#claim();
        this.#failures = 0;
      } catch (error) {
        // Failing after stop() (the pool closed under a hung call) claimed nothing: just exit.
        if (!this.#running) break;
        await this.#backOff(error, wake);
        continue;
      }
      const jobs = claim.claimed.map((c) => toJob(c, claim.claimedAt, this.#settings.leaseMs));
      if (!this.#running) {
        // Claimed after stop was asked: give them back untouched instead of starting them.
        await this.#pipeline.release(jobs, "claimed after stop() was asked");
        break;
      }
      for (const job of jobs) void this.#pipeline.launch(job);
      await this.#waitForWork(claim, wake);
      this.#resetWake(wake);
    }
  }

  /** Refresh what is due for a refresh, then claim as many due deliveries as there are idle slots. */
  async #claim(): Promise<Claim> {
    await this.#maybeRefresh();
    // Measured after the refresh, which awaits: emits may have taken slots meanwhile.
    const limit = Math.min(this.#settings.batchSize, this.#capacity.claimable);
    const claimedAt = this.#clock.now().getTime();
    if (limit === 0) return { claimed: [], limit, claimedAt };
    const claimed = await this.#store.claimDue({
      limit,
      leaseMs: this.#settings.leaseMs,
      workerId: this.#settings.workerId,
      endpointIds: this.#endpointIds,
      controls: this.#controls,
    });
    return { claimed, limit, claimedAt };
  }

  /** Wait out an unavailable store: exponential, jittered, cut short by a nudge or stop(). */
  async #backOff(error: unknown, wake: AbortSignal): Promise<void> {
    this.#failures++;
    const { backoffMinMs, backoffMaxMs } = this.#settings;
    const backoff = Math.min(backoffMaxMs, backoffMinMs * 2 ** (this.#failures - 1));
    const delay = Math.round(backoff * (0.8 + Math.random() * 0.4));
    this.#logger.warn({ failures: this.#failures, delayMs: delay }, "store unavailable, backing off");
    this.#events.emit("error", { error, context: `claiming due deliveries (retry in ${delay} ms)` });
    await sleep(this.#clock, delay, wake);
    this.#resetWake(wake);
  }

  // Only an empty claim means nothing is due: then wait for the poll or a nudge. Otherwise claim
  // again at once, or as soon as a slot frees up when all of them are busy.
  async #waitForWork({ claimed, limit, claimedAt }: Claim, wake: AbortSignal): Promise<void> {
    this.#idle.claimed(claimed, claimedAt);
    if (claimed.length === 0 && limit > 0) {
      await sleep(this.#clock, this.#idle.ms(this.#clock.now().getTime()), wake);
    } else if (this.#capacity.claimable <= 0) {
      this.#waitingForRoom = true;
      try {
        await this.#capacity.waitForRoom(wake);
      } finally {
        this.#waitingForRoom = false;
      }
      // One free slot means a one-row claim transaction; give a few more a moment to free up.
      if (this.#capacity.claimable < this.#claimFloor) await sleep(this.#clock, 5, wake);
    }
  }

  #resetWake(used: AbortSignal): void {
    if (used.aborted && this.#wake.signal === used) this.#wake = new AbortController();
  }

  async #maybeRefresh(): Promise<void> {
    const now = this.#clock.now().getTime();
    if (now - this.#lastRefresh >= this.#settings.endpointRefreshMs) {
      await this.#switches.refresh();
      this.#lastRefresh = now;
    }
    if (
      this.#settings.autoDisableAfterMs > 0 &&
      now - this.#lastHealthCheck >= this.#settings.healthCheckMs
    ) {
      this.#lastHealthCheck = now;
      await this.#disableLongFailing(now);
    }
  }

  // Svix-style: an endpoint whose every attempt has failed for autoDisableAfterMs is switched off,
  // so a dead receiver stops costing attempts; its deliveries stay replayable. Failures from
  // before an admin re-enabled it do not count: it needs a fresh streak.
  async #disableLongFailing(now: number): Promise<void> {
    const health = await this.#store.endpointHealth({
      since: new Date(now - this.#settings.healthCheckMs),
      until: new Date(now + 1),
    });
    for (const h of health) {
      if (!h.failingSince || !h.lastFailureAt || this.#switches.disabled.has(h.endpointId)) continue;
      const changed = this.#switches.changedAt(h.endpointId)?.getTime() ?? Number.NEGATIVE_INFINITY;
      if (h.lastFailureAt.getTime() <= changed) continue;
      const since = Math.max(h.failingSince.getTime(), changed);
      const failingFor = now - since;
      if (failingFor < this.#settings.autoDisableAfterMs) continue;
      const days = (failingFor / 86_400_000).toFixed(1);
      await this.#switches.disable(
        h.endpointId,
        `every attempt failed for ${days} days (${h.consecutiveFailures} in a row since ${new Date(since).toISOString()})`,
        { automatic: true },
      );
    }
  }
}
