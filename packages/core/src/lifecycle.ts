import type { NextState } from "./contracts/store.js";
import type { DeliveryOutcome } from "./contracts/transport.js";

/** Facts about one attempt, carried by the delivery.* lifecycle events. */
export interface DeliveryEventInfo {
  readonly deliveryId: string;
  readonly eventId: string;
  readonly eventCode: string;
  readonly endpointId: string;
  readonly attempt: number;
  readonly outcome: DeliveryOutcome;
}

/** Typed lifecycle events (eventemitter3): `hooks.on("delivery.failed", info => …)`. */
export interface LifecycleEvents {
  /** An event was validated and stored (durable) with one delivery per subscribed endpoint. */
  "event.accepted": [{ eventId: string; eventCode: string; subject: string | null; deliveryIds: string[] }];
  /** An attempt got a 2xx. */
  "delivery.succeeded": [DeliveryEventInfo];
  /** An attempt failed and another is scheduled. */
  "delivery.retry_scheduled": [DeliveryEventInfo & { delayMs: number; nextAttemptAt: Date }];
  /** An attempt failed and no more will be made (schedule exhausted or permanent). */
  "delivery.failed": [DeliveryEventInfo];
  /** A delivery was cancelled because its endpoint is disabled. */
  "delivery.cancelled": [DeliveryEventInfo];
  /** An endpoint was disabled (410 Gone, long failure, or an admin). */
  "endpoint.disabled": [{ endpointId: string; reason: string }];
  /**
   * The endpoint's circuit breaker opened: `consecutiveFailures` attempts in a row failed (all
   * processes together, or a probe failed). Nothing is sent to it until `openUntil`, then one
   * delivery goes as a probe. Fired by the process whose completion opened it.
   */
  "endpoint.circuit_opened": [{ endpointId: string; consecutiveFailures: number; openUntil: Date }];
  /** The endpoint's probe succeeded: its circuit closed and its deliveries flow again. */
  "endpoint.circuit_closed": [{ endpointId: string }];
  /** Something failed outside any one delivery (store unavailable, a write that gave up). */
  error: [{ error: unknown; context: string }];
}

/** The lifecycle event announcing each end state (a retry has its own, with the delay). */
export const END_EVENT = {
  succeeded: "delivery.succeeded",
  failed: "delivery.failed",
  cancelled: "delivery.cancelled",
} as const satisfies Record<Exclude<NextState["status"], "pending">, keyof LifecycleEvents>;
