import type { DeliveryRequest } from "@hookline/core";
import type { Options } from "amqplib";

/**
 * amqplib's publish options for one attempt: persistent, mandatory (an unroutable message comes
 * back instead of vanishing), the webhook-id as message id, the event code as type, and every
 * header core built except content-type, which is the message's own property.
 */
export function publishOptions(req: DeliveryRequest): Options.Publish {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (name !== "content-type") headers[name] = value;
  }
  // The signing time, so the message's timestamp and its webhook-timestamp agree.
  const signed = Number(req.headers["webhook-timestamp"]);
  return {
    persistent: true,
    mandatory: true,
    contentType: "application/json",
    messageId: req.eventId,
    type: req.eventCode,
    timestamp: Number.isSafeInteger(signed) && signed > 0 ? signed : Math.floor(Date.now() / 1000),
    headers,
  };
}
