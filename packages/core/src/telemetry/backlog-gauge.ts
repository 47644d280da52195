import type { Attributes, BatchObservableResult, Meter, ObservableGauge } from "@opentelemetry/api";
import type { DeliveryStore, EndpointBacklog } from "../contracts/store.js";
import type { Clock } from "../util/clock.js";

/** The store's backlog is read at most this often per instance, however often metrics are collected. */
export const BACKLOG_READ_INTERVAL_MS = 10_000;
/** A collection waits this long for a read under way, then observes the last values. */
const READ_WAIT_MS = 2_000;

/** What a BacklogGauge is built from. */
export interface BacklogGaugeOptions {
  readonly meter: Meter;
  readonly store: DeliveryStore;
  readonly clock: Clock;
  /** The endpoints configured in this process: the only ones observed. */
  readonly endpointIds: readonly string[];
  /** Where a failed read goes; the last values are observed meanwhile. */
  readonly report: (error: unknown) => void;
}

/**
 * `hookline.backlog` and `hookline.backlog.oldest_age`, per configured endpoint, from
 * store.backlog(). The read is a grouped query over pending rows, so it is cached: collections
 * within BACKLOG_READ_INTERVAL_MS of the last read observe its values, and a read is never
 * started while another is under way. An endpoint with nothing due is observed as 0.
 */
export class BacklogGauge {
  readonly #meter: Meter;
  readonly #store: DeliveryStore;
  readonly #clock: Clock;
  readonly #report: (error: unknown) => void;
  readonly #due: ObservableGauge;
  readonly #age: ObservableGauge;
  readonly #attrs: ReadonlyMap<string, Attributes>;
  #rows: ReadonlyMap<string, EndpointBacklog> = new Map();
  #readAt = Number.NEGATIVE_INFINITY;
  #reading: Promise<void> | undefined;
  // One function for register and remove: removeBatchObservableCallback matches it by identity.
  readonly #callback = (result: BatchObservableResult): Promise<void> => this.#collect(result);

  constructor(opts: BacklogGaugeOptions) {
    this.#meter = opts.meter;
    this.#store = opts.store;
    this.#clock = opts.clock;
    this.#report = opts.report;
    this.#attrs = new Map(opts.endpointIds.map((id) => [id, Object.freeze({ "hookline.endpoint.id": id })]));
    this.#due = opts.meter.createObservableGauge("hookline.backlog", {
      description: "Pending deliveries whose next attempt is due",
    });
    this.#age = opts.meter.createObservableGauge("hookline.backlog.oldest_age", {
      description: "How long the oldest due delivery has been due",
      unit: "s",
    });
    opts.meter.addBatchObservableCallback(this.#callback, [this.#due, this.#age]);
  }

  /** Stop observing (stop()). */
  close(): void {
    this.#meter.removeBatchObservableCallback(this.#callback, [this.#due, this.#age]);
  }

  async #collect(result: BatchObservableResult): Promise<void> {
    if (
      this.#reading === undefined &&
      this.#clock.now().getTime() - this.#readAt >= BACKLOG_READ_INTERVAL_MS
    ) {
      this.#readAt = this.#clock.now().getTime();
      const reading = this.#read();
      this.#reading = reading;
      void reading.then(() => {
        if (this.#reading === reading) this.#reading = undefined;
      });
    }
    if (this.#reading !== undefined) await this.#waitFor(this.#reading);
    const now = this.#clock.now().getTime();
    for (const [id, attrs] of this.#attrs) {
      const row = this.#rows.get(id);
      const oldest = row?.oldestDueAt?.getTime();
      result.observe(this.#due, row?.due ?? 0, attrs);
      result.observe(this.#age, oldest === undefined ? 0 : Math.max(0, (now - oldest) / 1000), attrs);
    }
  }

  /** Never rejects: a failed read is reported and the last values stay. */
  async #read(): Promise<void> {
    try {
      const rows = await this.#store.backlog();
      this.#rows = new Map(rows.filter((r) => this.#attrs.has(r.endpointId)).map((r) => [r.endpointId, r]));
    } catch (error) {
      this.#report(error);
    }
  }

  // A hung store must not hold up the other instruments' collection for long.
  #waitFor(reading: Promise<void>): Promise<void> {
    return new Promise((resolve) => {
      const timer = this.#clock.setTimeout(resolve, READ_WAIT_MS);
      void reading.then(() => {
        this.#clock.clearTimeout(timer);
        resolve();
      });
    });
  }
}
