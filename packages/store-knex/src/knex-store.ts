import type {
  AttemptRequestRewrite,
  AttemptResult,
  ClaimedDelivery,
  CompletionReport,
  DeliveryDetail,
  DeliveryFilter,
  DeliveryStore,
  DeliverySummary,
  EndpointBacklog,
  EndpointControl,
  EndpointHealth,
  EndpointState,
  EventDetail,
  EventFilter,
  EventRecord,
  InsertReport,
  NewEvent,
  Page,
  PageRequest,
  RedactAttemptsOptions,
  RedactReport,
  StatsRow,
  TimelineBucket,
  TimeRange,
  TransactionOutcome,
} from "@hookline/core";
import { openKnex } from "./connection.js";
import type { StoreContext } from "./context.js";
import { purge } from "./maintenance/purge.js";
import { redactAttempts } from "./maintenance/redact-attempts.js";
import { migrate } from "./migrations/migrate.js";
import { type KnexStoreOptions, resolveOptions } from "./options.js";
import { backlog } from "./read/backlog.js";
import { getDelivery, listDeliveries } from "./read/deliveries.js";
import { endpointHealth } from "./read/endpoint-health.js";
import { getEvent, listEvents } from "./read/events.js";
import { stats } from "./read/stats.js";
import { timeline } from "./read/timeline.js";
import { tableNames } from "./schema/tables.js";
import { storeOp } from "./store-error.js";
import { type ClaimOptions, claimDue } from "./write/claim.js";
import { complete } from "./write/complete.js";
import { getEndpointStates, setEndpointDisabled } from "./write/endpoint-state.js";
import { insertEvents } from "./write/insert-events.js";
import { release } from "./write/release.js";
import { type RequeueTarget, requeue } from "./write/requeue.js";
import { transactionOutcome } from "./write/transaction-outcome.js";

/** Thin shell: each method names its operation for errors and delegates to one module. */
class KnexStore implements DeliveryStore {
  readonly #ctx: StoreContext;
  #closed: Promise<void> | undefined;

  constructor(opts: KnexStoreOptions | undefined) {
    const options = resolveOptions(opts);
    const { db, dialect } = openKnex(options);
    this.#ctx = Object.freeze({ db, dialect, options, t: tableNames(options.tablePrefix) });
  }

  migrate(): Promise<void> {
    return storeOp("migrating the schema", () => migrate(this.#ctx));
  }
  insertEvents(batch: readonly NewEvent[], opts?: { readonly trx?: unknown }): Promise<InsertReport> {
    return storeOp("inserting events", () => insertEvents(this.#ctx, batch, opts?.trx));
  }
  transactionOutcome(trx: unknown): Promise<TransactionOutcome> | undefined {
    return transactionOutcome(trx);
  }
  claimDue(opts: ClaimOptions): Promise<ClaimedDelivery[]> {
    return storeOp("claiming due deliveries", () => claimDue(this.#ctx, opts));
  }
  complete(
    results: readonly AttemptResult[],
    opts?: { readonly controls?: readonly EndpointControl[] },
  ): Promise<CompletionReport> {
    return storeOp("completing deliveries", () => complete(this.#ctx, results, opts));
  }
  release(claims: readonly { readonly deliveryId: string; readonly claimToken: string }[]): Promise<number> {
    return storeOp("releasing claims", () => release(this.#ctx, claims));
  }
  listDeliveries(filter: DeliveryFilter, page: PageRequest): Promise<Page<DeliverySummary>> {
    return storeOp("listing deliveries", () => listDeliveries(this.#ctx, filter, page));
  }
  getDelivery(id: string): Promise<DeliveryDetail | null> {
    return storeOp("reading a delivery", () => getDelivery(this.#ctx, id));
  }
  listEvents(filter: EventFilter, page: PageRequest): Promise<Page<EventRecord>> {
    return storeOp("listing events", () => listEvents(this.#ctx, filter, page));
  }
  getEvent(id: string): Promise<EventDetail | null> {
    return storeOp("reading an event", () => getEvent(this.#ctx, id));
  }
  stats(range: TimeRange): Promise<StatsRow[]> {
    return storeOp("computing stats", () => stats(this.#ctx, range));
  }
  timeline(range: TimeRange, bucketMs: number): Promise<TimelineBucket[]> {
    return storeOp("computing the timeline", () => timeline(this.#ctx, range, bucketMs));
  }
  endpointHealth(range: TimeRange): Promise<EndpointHealth[]> {
    return storeOp("computing endpoint health", () => endpointHealth(this.#ctx, range));
  }
  backlog(): Promise<EndpointBacklog[]> {
    return storeOp("reading the backlog", () => backlog(this.#ctx));
  }
  requeue(target: RequeueTarget): Promise<number> {
    return storeOp("requeueing deliveries", () => requeue(this.#ctx, target));
  }
  purge(olderThan: Date, opts?: { readonly batchSize?: number }): Promise<number> {
    return storeOp("purging old deliveries", () => purge(this.#ctx, olderThan, opts));
  }
  redactAttempts(rewrite: AttemptRequestRewrite, opts?: RedactAttemptsOptions): Promise<RedactReport> {
    return storeOp("redacting stored attempts", () => redactAttempts(this.#ctx, rewrite, opts));
  }
  getEndpointStates(): Promise<EndpointState[]> {
    return storeOp("reading endpoint states", () => getEndpointStates(this.#ctx));
  }
  setEndpointDisabled(
    endpointId: string,
    disabled: boolean,
    reason?: string,
  ): Promise<{ readonly cancelled: number }> {
    return storeOp("switching an endpoint", () =>
      setEndpointDisabled(this.#ctx, endpointId, disabled, reason),
    );
  }
  close(): Promise<void> {
    // Idempotent: the dispatcher and its owner may both close the store.
    this.#closed ??= storeOp("closing the connection pool", async () => {
      if (this.#ctx.options.destroyOnClose) await this.#ctx.db.destroy();
    });
    return this.#closed;
  }
}

/**
 * A DeliveryStore on knex: SQLite (embedded default, `./hookline.sqlite`), MySQL 8 / MariaDB 10.6+
 * or PostgreSQL. Pass the options object, or a Knex instance or knex config directly.
 * Call `migrate()` once before use.
 */
export function knexStore(opts?: KnexStoreOptions | KnexStoreOptions["knex"]): DeliveryStore {
  return new KnexStore(opts as KnexStoreOptions | undefined);
}
