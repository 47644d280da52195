import type { DeliveryRequest } from "@hookline/core";

/** A DeliveryRequest to `url` as core would build it (already signed headers are faked here). */
export function makeRequest(url: string, extra: Partial<DeliveryRequest> = {}): DeliveryRequest {
  const body = JSON.stringify({ buyerId: "b-1", credits: 5 });
  return {
    deliveryId: "dlv_1",
    eventId: "evt_1",
    eventCode: "add_credits",
    endpointId: "ep-a",
    attempt: 1,
    url,
    body,
    headers: {
      "content-type": "application/json",
      "webhook-id": "evt_1",
      "webhook-timestamp": "1700000000",
      "webhook-signature": "v1,c2lnbmF0dXJl",
      "x-tenant": "acme",
    },
    ...extra,
  };
}

/** A signal that never aborts. */
export function noAbort(): { signal: AbortSignal } {
  return { signal: new AbortController().signal };
}

/** The allowlist the tests use to reach their own loopback receivers. */
export const LOOPBACK_ALLOW = { allow: ["127.0.0.1/32", "::1/128"] } as const;
