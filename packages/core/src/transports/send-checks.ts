import { performance } from "node:perf_hooks";
import type { DeliveryOutcome, DeliveryRequest } from "../contracts/transport.js";
import { failedOutcome } from "./transport-failure.js";

/** The clock of one attempt, and the outcome to answer at once if it must not start. */
export interface AttemptStart {
  /** `performance.now()` when send() was called. */
  readonly started: number;
  /** Whole milliseconds since `started`, never negative. */
  readonly elapsed: () => number;
  /** Set when the transport is closed or the signal already aborted: return it, send nothing. */
  readonly refused: DeliveryOutcome | undefined;
}

/**
 * What every `Transport.send` does first: start the attempt's clock, and refuse (retryable
 * HOOKLINE_ABORTED) when the transport is closed or the attempt was aborted before it began.
 */
export function startAttempt(signal: AbortSignal, closed: boolean): AttemptStart {
  const started = performance.now();
  const elapsed = () => Math.max(0, Math.round(performance.now() - started));
  let refused: DeliveryOutcome | undefined;
  if (closed) refused = failedOutcome("retryable", "HOOKLINE_ABORTED", "the transport is closed", elapsed());
  else if (signal.aborted) {
    refused = failedOutcome("retryable", "HOOKLINE_ABORTED", "aborted before sending", elapsed());
  }
  return { started, elapsed, refused };
}

/** The attempt's deadline: the endpoint's `timeoutMs` when it is a positive number, else the transport's. */
export function attemptTimeoutMs(req: DeliveryRequest, transportDefaultMs: number): number {
  const own = req.timeoutMs;
  return typeof own === "number" && own > 0 && Number.isFinite(own) ? own : transportDefaultMs;
}
