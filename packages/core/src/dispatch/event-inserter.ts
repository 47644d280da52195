import type { ClaimRef, DeliveryStore, InsertReport, NewEvent } from "../contracts/store.js";
import { HooklineError } from "../errors/hookline-error.js";
import type { ResolvedSettings } from "../options.js";
import type { Telemetry } from "../telemetry/telemetry.js";
import type { Logger } from "../util/logger.js";
import { ItemFailure, MicroBatcher } from "./micro-batcher.js";
import { storeGaveUp, withStoreRetry } from "./store-retry.js";

/** The stored original of a duplicate event. */
export type Duplicate = InsertReport["duplicates"] extends ReadonlyMap<string, infer V> ? V : never;

/** How one event's insert went. */
export interface Inserted {
  /** The original, when the idempotency key was seen before (nothing new was stored). */
  readonly duplicate: Duplicate | null;
  /**
   * Deliveries given with a claim that the store inserted unclaimed (an earlier one of the
   * subject is unfinished, or the endpoint's circuit is not closed): not to be sent by emit().
   * Shared by the whole batch; look up the event's own ids.
   */
  readonly unclaimed: ReadonlySet<string>;
  /**
   * Claimed ordered deliveries left queued behind claims this process holds (InsertReport.queued):
   * delivery id → the claims ahead of it. Shared by the batch.
   */
  readonly queued: ReadonlyMap<string, readonly ClaimRef[]>;
}

const NONE: ReadonlySet<string> = new Set();
const NO_QUEUE: ReadonlyMap<string, readonly ClaimRef[]> = new Map();

/**
 * Count the deliveries an insert cancelled as superseded into hookline.deliveries.completed: they
 * reach their end state there, and no attempt of this or any process will count them.
 */
export function countSuperseded(report: InsertReport, telemetry: Telemetry, logger: Logger): void {
  if (!report.superseded || report.superseded.size === 0) return;
  logger.debug(
    { superseded: Object.fromEntries(report.superseded) },
    "older pending deliveries cancelled as superseded",
  );
  for (const [endpointId, n] of report.superseded)
    for (let i = 0; i < n; i++) telemetry.deliveryCompleted(endpointId, "cancelled");
}

/**
 * Micro-batches concurrent emits into multi-row inserts, each event resolved with its own
 * outcome. A batch that fails is retried row by row, so one bad row fails only its own emit.
 */
export function eventInserter(
  store: DeliveryStore,
  settings: ResolvedSettings,
  logger: Logger,
  telemetry: Telemetry,
): MicroBatcher<NewEvent, Inserted> {
  const { insertBatchSize, insertConcurrency, writes } = settings;
  const outcomes = (batch: readonly NewEvent[], report: InsertReport): Inserted[] => {
    countSuperseded(report, telemetry, logger);
    const unclaimed = report.unclaimed ?? NONE;
    const queued = report.queued ?? NO_QUEUE;
    return batch.map((ev) => ({ duplicate: report.duplicates.get(ev.id) ?? null, unclaimed, queued }));
  };
  return new MicroBatcher<NewEvent, Inserted>(
    async (batch) => {
      try {
        const insert = () => store.insertEvents(batch);
        return outcomes(batch, await withStoreRetry("inserting events", insert, writes.insertRetries));
      } catch (err) {
        // A conflict the store gave up on is no bad row; one more try per row would only repeat it.
        if (batch.length === 1 || storeGaveUp(err)) throw err;
        // One bad row must not fail every emit batched with it: write them one by one.
        return Promise.all(
          batch.map(async (ev) => {
            try {
              return outcomes([ev], await store.insertEvents([ev]))[0] as Inserted;
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
