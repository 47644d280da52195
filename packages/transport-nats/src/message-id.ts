import type { DeliveryRequest } from "@hookline/core";

/**
 * The JetStream message id (`Nats-Msg-Id`) of an attempt: `<deliveryId>:<replay>`. Retries of a
 * delivery share it, so a retry after a lost acknowledgement is stored once (within the stream's
 * duplicate window); each admin replay bumps `replay`, so a replay is stored again.
 */
export function messageId(req: Pick<DeliveryRequest, "deliveryId" | "replay">): string {
  return `${req.deliveryId}:${req.replay ?? 0}`;
}
