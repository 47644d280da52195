import type { Attributes, BatchObservableResult, Meter, Observable } from "@opentelemetry/api";
import type { OutcomeKind } from "../contracts/transport.js";

/** A delivery's end state, as `hookline.deliveries.completed` counts it. */
export type CompletedStatus = "succeeded" | "failed" | "cancelled";

/** One attribute set of a counter and its running total. */
export interface Count {
  readonly attributes: Attributes;
  value: number;
}

/** The counts of one endpoint; failures by error code are added as they occur. */
export interface EndpointTallies {
  /** Attempts by outcome, without an error code (a failure with one is counted below instead). */
  readonly attempts: Readonly<Record<OutcomeKind, Count>>;
  readonly retryable: Map<string, Count>;
  readonly permanent: Map<string, Count>;
  readonly completed: Readonly<Record<CompletedStatus, Count>>;
}

/**
 * The running totals behind `hookline.events.emitted`, `hookline.attempts`,
 * `hookline.deliveries.completed` and `hookline.inflight`. These are asynchronous instruments
 * (ObservableCounter, ObservableUpDownCounter): a synchronous counter's add() makes the SDK hash
 * the attribute set on every call, several times per delivery, while incrementing a number here
 * costs nothing and the meter reads the totals at collection. The data exported is the same
 * cumulative Sum (monotonic for the counters), each attribute set appearing once first counted.
 */
export interface Tally {
  byCode(code: string): Count;
  byEndpoint(endpointId: string): EndpointTallies;
  /** Attempts being sent now; `started` once any send began (the set appears from then on). */
  readonly inflight: { value: number; started: boolean };
}

// One tally per meter: instances sharing a meter add to the same totals, as they would with
// synchronous counters (two callbacks observing one attribute set would not add up, the last
// observation would win). Weak, so a meter and its totals go together.
const tallies = new WeakMap<Meter, Tally>();

/** The meter's tally, with its instruments and their callback registered on first use. */
export function tallyOf(meter: Meter): Tally {
  let tally = tallies.get(meter);
  if (tally === undefined) {
    tally = newTally(meter);
    tallies.set(meter, tally);
  }
  return tally;
}

function newTally(meter: Meter): Tally {
  const byCode = new Map<string, Count>();
  const byEndpoint = new Map<string, EndpointTallies>();
  const inflight = { value: 0, started: false };
  const tally: Tally = {
    byCode(code) {
      let count = byCode.get(code);
      if (count === undefined) {
        count = { attributes: Object.freeze({ "hookline.event.code": code }), value: 0 };
        byCode.set(code, count);
      }
      return count;
    },
    byEndpoint(endpointId) {
      let ep = byEndpoint.get(endpointId);
      if (ep === undefined) {
        ep = endpointTallies(endpointId);
        byEndpoint.set(endpointId, ep);
      }
      return ep;
    },
    inflight,
  };
  const emitted = meter.createObservableCounter("hookline.events.emitted", {
    description: "Events stored by emit() (duplicates of an idempotency key not counted)",
  });
  const attempts = meter.createObservableCounter("hookline.attempts", {
    description: "Delivery attempts sent, by outcome",
  });
  const completed = meter.createObservableCounter("hookline.deliveries.completed", {
    description: "Deliveries that reached an end state (recorded in the log)",
  });
  const sending = meter.createObservableUpDownCounter("hookline.inflight", {
    description: "Attempts being sent now",
  });
  const observeAll = (result: BatchObservableResult, instrument: Observable, counts: Iterable<Count>) => {
    for (const c of counts) if (c.value > 0) result.observe(instrument, c.value, c.attributes);
  };
  meter.addBatchObservableCallback(
    (result) => {
      observeAll(result, emitted, byCode.values());
      for (const ep of byEndpoint.values()) {
        observeAll(result, attempts, Object.values(ep.attempts));
        observeAll(result, attempts, ep.retryable.values());
        observeAll(result, attempts, ep.permanent.values());
        observeAll(result, completed, Object.values(ep.completed));
      }
      if (inflight.started) result.observe(sending, inflight.value, NO_ATTRIBUTES);
    },
    [emitted, attempts, completed, sending],
  );
  return tally;
}

const NO_ATTRIBUTES: Attributes = Object.freeze({});

/** The count of failed attempts of one kind, by error code when there is one. */
export function failureCount(
  ep: EndpointTallies,
  kind: Exclude<OutcomeKind, "success">,
  errorCode: string | undefined,
): Count {
  if (errorCode === undefined) return ep.attempts[kind];
  const byCode = kind === "retryable" ? ep.retryable : ep.permanent;
  let count = byCode.get(errorCode);
  if (count === undefined) {
    const attributes = Object.freeze({ ...ep.attempts[kind].attributes, "hookline.error.code": errorCode });
    count = { attributes, value: 0 };
    byCode.set(errorCode, count);
  }
  return count;
}

function endpointTallies(id: string): EndpointTallies {
  const count = (attributes: Attributes): Count => ({ attributes: Object.freeze(attributes), value: 0 });
  const outcome = (kind: OutcomeKind) => count({ "hookline.endpoint.id": id, "hookline.outcome": kind });
  const status = (s: CompletedStatus) => count({ "hookline.endpoint.id": id, "hookline.delivery.status": s });
  return {
    attempts: {
      success: outcome("success"),
      retryable: outcome("retryable"),
      permanent: outcome("permanent"),
    },
    retryable: new Map(),
    permanent: new Map(),
    completed: { succeeded: status("succeeded"), failed: status("failed"), cancelled: status("cancelled") },
  };
}
