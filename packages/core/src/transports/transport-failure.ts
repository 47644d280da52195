import type { DeliveryOutcome, OutcomeKind } from "../contracts/transport.js";
import type { ErrorCode } from "../errors/codes.js";

/** A failed attempt in core's terms, as a transport's error mapping gives it. */
export interface TransportFailure {
  readonly kind: Exclude<OutcomeKind, "success">;
  readonly code: ErrorCode;
  readonly message: string;
}

/** What a receiver or broker answered before the attempt failed, kept on the outcome. */
export type ResponseParts = Pick<DeliveryOutcome, "status" | "headers" | "body" | "bodyTruncated">;

/** The outcome of a failed attempt, with whatever part of an answer had arrived. */
export function failedOutcome(
  kind: TransportFailure["kind"],
  code: ErrorCode,
  message: string,
  durationMs: number,
  response: ResponseParts = {},
): DeliveryOutcome {
  return { kind, ...response, durationMs, error: { code, message } };
}
