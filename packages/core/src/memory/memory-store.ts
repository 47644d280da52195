import type { EndpointControl } from "../contracts/delivery-control.js";
import type {
  AttemptRequestRewrite,
  AttemptResult,
  ClaimedDelivery,
  CompletionReport,
  DeliveryDetail,
  DeliveryFilter,
  DeliveryStore,
  EndpointBacklog,
  EndpointHealth,
  EndpointState,
  EventDetail,
  EventFilter,
  InsertReport,
  NewEvent,
  RedactAttemptsOptions,
  RedactReport,
  StatsRow,
  SubjectKey,
  TimelineBucket,
  TimeRange,
} from "../contracts/store.js";
import { HooklineError } from "../errors/hookline-error.js";
import { type Clock, systemClock } from "../util/clock.js";
import { claimDueRows, completeClaims, releaseClaims } from "./memory-claims.js";
import { MemoryControls } from "./memory-controls.js";
import { endpointStateRows, setEndpointDisabledRow } from "./memory-endpoint-states.js";
import { insertEventRows } from "./memory-inserts.js";
import { purgeRows, redactAttemptRows, requeueRows } from "./memory-maintenance.js";
import { deliveryDetail, eventDetail, listDeliveryRows, listEventRows } from "./memory-queries.js";
import type { MemTables } from "./memory-rows.js";
import { memoryBacklog, memoryEndpointHealth, memoryStats, memoryTimeline } from "./memory-stats.js";

/** Options for memoryStore. */
export interface MemoryStoreOptions {
  /** Time source for due and lease times. @default systemClock */
  readonly clock?: Clock;
}

class MemoryStore implements DeliveryStore {
  readonly #clock: Clock;
  readonly #t: MemTables = {
    events: new Map(),
    deliveries: new Map(),
    attempts: [],
    idempotency: new Map(),
    endpointStates: new Map(),
  };
  readonly #controls = new MemoryControls();

  constructor(opts: MemoryStoreOptions) {
    this.#clock = opts.clock ?? systemClock;
  }

  #now = () => this.#clock.now();

  async migrate(): Promise<void> {}

  async insertEvents(batch: readonly NewEvent[], opts?: { trx?: unknown }): Promise<InsertReport> {
    if (opts?.trx !== undefined) {
      throw new HooklineError(
        "HOOKLINE_INVALID_OPTION",
        "trx: the memory store has no transactions; use a SQL store",
      );
    }
    return insertEventRows(this.#t, this.#controls, batch, this.#clock);
  }

  async claimDue(opts: {
    limit: number;
    leaseMs: number;
    workerId: string;
    endpointIds: readonly string[];
    controls?: readonly EndpointControl[];
    subjects?: readonly SubjectKey[];
  }): Promise<ClaimedDelivery[]> {
    return claimDueRows(this.#t, this.#controls, opts, this.#clock);
  }

  async complete(
    results: readonly AttemptResult[],
    opts?: { readonly controls?: readonly EndpointControl[] },
  ): Promise<CompletionReport> {
    return completeClaims(this.#t, this.#controls, results, opts, this.#clock);
  }

  async release(claims: readonly { deliveryId: string; claimToken: string }[]): Promise<number> {
    return releaseClaims(this.#t, claims, this.#clock);
  }

  async listDeliveries(filter: DeliveryFilter, page: { limit: number; cursor?: string | null }) {
    return listDeliveryRows(this.#t, filter, page);
  }

  async getDelivery(id: string): Promise<DeliveryDetail | null> {
    return deliveryDetail(this.#t, id);
  }

  async listEvents(filter: EventFilter, page: { limit: number; cursor?: string | null }) {
    return listEventRows(this.#t, filter, page);
  }

  async getEvent(id: string): Promise<EventDetail | null> {
    return eventDetail(this.#t, id);
  }

  async stats(range: TimeRange): Promise<StatsRow[]> {
    return memoryStats(this.#t, range);
  }

  async timeline(range: TimeRange, bucketMs: number): Promise<TimelineBucket[]> {
    return memoryTimeline(this.#t, range, bucketMs);
  }

  async endpointHealth(range: TimeRange): Promise<EndpointHealth[]> {
    return memoryEndpointHealth(this.#t, range);
  }

  async backlog(): Promise<EndpointBacklog[]> {
    return memoryBacklog(this.#t, this.#now());
  }

  async requeue(target: { ids: readonly string[] } | { filter: DeliveryFilter }): Promise<number> {
    return requeueRows(this.#t, target, this.#now());
  }

  async purge(olderThan: Date): Promise<number> {
    return purgeRows(this.#t, olderThan);
  }

  async redactAttempts(rewrite: AttemptRequestRewrite, opts?: RedactAttemptsOptions): Promise<RedactReport> {
    return redactAttemptRows(this.#t, rewrite, opts);
  }

  async getEndpointStates(): Promise<EndpointState[]> {
    return endpointStateRows(this.#t, this.#controls);
  }

  async setEndpointDisabled(endpointId: string, disabled: boolean, reason?: string) {
    return setEndpointDisabledRow(this.#t, endpointId, disabled, reason, this.#now());
  }

  async close(): Promise<void> {}
}

/** An in-memory DeliveryStore: the reference implementation for tests and demos. Not durable. */
export function memoryStore(opts: MemoryStoreOptions = {}): DeliveryStore {
  return new MemoryStore(opts);
}
