import type { EventEmitter } from "eventemitter3";
import type { ClaimedDelivery, DeliveryStore } from "../contracts/store.js";
import type { EndpointSwitches } from "../dispatch/endpoint-switches.js";
import type { DeliveryPipeline } from "../dispatch/pipeline.js";
import type { LifecycleEvents } from "../lifecycle.js";
import type { ResolvedSettings } from "../options.js";
import { type Clock, sleep, type TimerHandle } from "../util/clock.js";
import type { Logger } from "../util/logger.js";

/** Worker settings, resolved and frozen by createHookline. */
export type WorkerSettings = ResolvedSettings["worker"];

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

  constructor(
    private readonly store: DeliveryStore,
    private readonly pipeline: DeliveryPipeline,
    private readonly switches: EndpointSwitches,
    private readonly events: EventEmitter<LifecycleEvents>,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly settings: WorkerSettings,
    maxInFlight: number,
    /** Every configured endpoint, disabled ones included: the only deliveries this worker claims. */
    private readonly endpointIds: readonly string[],
  ) {
    this.#claimFloor = Math.max(1, Math.min(settings.batchSize, Math.floor(maxInFlight / 4)));
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
    this.logger.info("worker started", { workerId: this.settings.workerId });
  }

  /** Look for due work now (e.g. after an outbox commit or a short retry). */
  nudge(): void {
    // abort() builds a DOMException even when already aborted; emits nudge once per event.
    if (!this.#wake.signal.aborted) this.#wake.abort();
  }

  /** Look for due work after `ms` (a retry due sooner than the next poll). */
  nudgeIn(ms: number): void {
    if (!this.#running || ms >= this.settings.pollIntervalMs) return;
    const at = this.clock.now().getTime() + ms;
    // Keep the earliest pending wake-up: a later retry must not push back an earlier one.
    if (this.#wakeTimer && this.#wakeAt <= at) return;
    if (this.#wakeTimer) this.clock.clearTimeout(this.#wakeTimer);
    this.#wakeAt = at;
    this.#wakeTimer = this.clock.setTimeout(() => {
      this.#wakeTimer = undefined;
      this.#wakeAt = Number.POSITIVE_INFINITY;
      this.nudge();
    }, ms);
  }

  /** Stop claiming; resolves when the loop has exited. In-flight attempts are drained by the caller. */
  async stop(): Promise<void> {
    this.#running = false;
    if (this.#wakeTimer) this.clock.clearTimeout(this.#wakeTimer);
    this.nudge();
    await this.#loop;
  }

  async #run(): Promise<void> {
    while (this.#running) {
      const wake = this.#wake.signal;
      let claimed: ClaimedDelivery[] = [];
      let limit = 0;
      let claimedAt = 0;
      try {
        await this.#maybeRefresh();
        // Measured after the refresh, which awaits: emits may have taken slots meanwhile.
        limit = Math.min(this.settings.batchSize, this.pipeline.slots.claimable);
        claimedAt = this.clock.now().getTime();
        if (limit > 0) {
          claimed = await this.store.claimDue({
            limit,
            leaseMs: this.settings.leaseMs,
            workerId: this.settings.workerId,
            endpointIds: this.endpointIds,
          });
        }
        this.#failures = 0;
      } catch (error) {
        // Failing after stop() (the pool closed under a hung call) claimed nothing: just exit.
        if (!this.#running) break;
        this.#failures++;
        const backoff = Math.min(
          this.settings.backoffMaxMs,
          this.settings.backoffMinMs * 2 ** (this.#failures - 1),
        );
        const delay = Math.round(backoff * (0.8 + Math.random() * 0.4));
        this.logger.warn("store unavailable, backing off", { failures: this.#failures, delayMs: delay });
        this.events.emit("error", { error, context: `claiming due deliveries (retry in ${delay} ms)` });
        await sleep(this.clock, delay, wake);
        this.#resetWake(wake);
        continue;
      }
      if (!this.#running) {
        // Claimed after stop was asked: give them back untouched instead of starting them.
        await this.#release(claimed);
        break;
      }
      for (const c of claimed) {
        void this.pipeline.launch({
          deliveryId: c.id,
          eventId: c.eventId,
          eventCode: c.eventCode,
          endpointId: c.endpointId,
          body: c.body,
          attempt: c.attempts,
          claimToken: c.claimToken,
          leaseExpiresAt: claimedAt + this.settings.leaseMs,
          createdAt: c.eventCreatedAt,
        });
      }
      // Only an empty claim means nothing is due: then wait for the poll or a nudge. Otherwise
      // claim again at once, or as soon as a slot frees up when all of them are busy.
      if (claimed.length === 0 && limit > 0) await sleep(this.clock, this.settings.pollIntervalMs, wake);
      else if (this.pipeline.slots.claimable <= 0) {
        await this.pipeline.slots.waitForSlot(wake);
        // One free slot means a one-row claim transaction; give a few more a moment to free up.
        if (this.pipeline.slots.claimable < this.#claimFloor) await sleep(this.clock, 5, wake);
      }
      this.#resetWake(wake);
    }
  }

  #resetWake(used: AbortSignal): void {
    if (used.aborted && this.#wake.signal === used) this.#wake = new AbortController();
  }

  async #maybeRefresh(): Promise<void> {
    const now = this.clock.now().getTime();
    if (now - this.#lastRefresh >= this.settings.endpointRefreshMs) {
      await this.switches.refresh();
      this.#lastRefresh = now;
    }
    if (this.settings.autoDisableAfterMs > 0 && now - this.#lastHealthCheck >= this.settings.healthCheckMs) {
      this.#lastHealthCheck = now;
      await this.#disableLongFailing(now);
    }
  }

  // Svix-style: an endpoint whose every attempt has failed for autoDisableAfterMs is switched off,
  // so a dead receiver stops costing attempts; its deliveries stay replayable. Failures from
  // before an admin re-enabled it do not count: it needs a fresh streak.
  async #disableLongFailing(now: number): Promise<void> {
    const health = await this.store.endpointHealth({
      since: new Date(now - this.settings.healthCheckMs),
      until: new Date(now + 1),
    });
    for (const h of health) {
      if (!h.failingSince || !h.lastFailureAt || this.switches.disabled.has(h.endpointId)) continue;
      const changed = this.switches.changedAt(h.endpointId)?.getTime() ?? Number.NEGATIVE_INFINITY;
      if (h.lastFailureAt.getTime() <= changed) continue;
      const since = Math.max(h.failingSince.getTime(), changed);
      const failingFor = now - since;
      if (failingFor < this.settings.autoDisableAfterMs) continue;
      const days = (failingFor / 86_400_000).toFixed(1);
      await this.switches.disable(
        h.endpointId,
        `every attempt failed for ${days} days (${h.consecutiveFailures} in a row since ${new Date(since).toISOString()})`,
        true,
      );
    }
  }

  async #release(claimed: ClaimedDelivery[]): Promise<void> {
    if (claimed.length === 0) return;
    try {
      await this.store.release(claimed.map((c) => ({ deliveryId: c.id, claimToken: c.claimToken })));
    } catch (error) {
      this.events.emit("error", { error, context: "releasing unstarted claims (their leases will expire)" });
    }
  }
}
