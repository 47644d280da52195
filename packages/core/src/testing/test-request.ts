import type { DeliveryRequest } from "../contracts/transport.js";
import { decodeSecret } from "../signing/secret.js";
import { signatureHeaders } from "../signing/sign.js";
import { newId } from "../util/ids.js";
import { TEST_SECRET } from "./secrets.js";

/** Settings the suites pass to the factory so timeouts and caps are testable quickly. */
export interface TransportTestSettings {
  /** Total deadline per attempt. */
  readonly timeoutMs: number;
  /** Response body cap in bytes. */
  readonly maxResponseBytes: number;
}

const KEY = decodeSecret(TEST_SECRET) as Uint8Array;

/**
 * Build a request signed with TEST_SECRET, as core would for one attempt: `extra.body` (if given)
 * is what gets signed; the endpoint's own header is `x-tenant: t-1`.
 */
export function makeRequest(url: string, extra: Partial<DeliveryRequest> = {}): DeliveryRequest {
  const eventId = newId("evt");
  const body =
    extra.body ??
    JSON.stringify({ buyerId: "0000", buyerName: "Zoë 😀", topUpAmount: 100, eventCode: "add_credits" });
  return {
    deliveryId: newId("dlv"),
    eventId,
    eventCode: "add_credits",
    endpointId: "ep-test",
    attempt: 1,
    url,
    body,
    headers: {
      "content-type": "application/json",
      ...signatureHeaders({ id: eventId, timestampSec: Math.floor(Date.now() / 1000), body, keys: [KEY] }),
      "x-tenant": "t-1",
    },
    ...extra,
  };
}
