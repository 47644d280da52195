import { createHmac } from "node:crypto";

/** The three Standard Webhooks headers. */
export interface SignatureHeaders {
  "webhook-id": string;
  "webhook-timestamp": string;
  /** Absent when the endpoint has no secret. */
  "webhook-signature"?: string;
}

/** base64 HMAC-SHA256 of `${id}.${timestamp}.${body}` (the Standard Webhooks v1 scheme). */
export function computeSignature(
  key: Uint8Array,
  id: string,
  timestampSec: number,
  body: string | Uint8Array,
): string {
  const mac = createHmac("sha256", key).update(`${id}.${timestampSec}.`);
  return (typeof body === "string" ? mac.update(body, "utf8") : mac.update(body)).digest("base64");
}

/**
 * Headers for one attempt: `webhook-id` (stable across retries), a fresh `webhook-timestamp`, and
 * `webhook-signature` with one `v1,<sig>` per active key (rotation), space-separated.
 */
export function signatureHeaders(input: {
  id: string;
  timestampSec: number;
  body: string;
  keys: readonly Uint8Array[];
}): SignatureHeaders {
  const headers: SignatureHeaders = {
    "webhook-id": input.id,
    "webhook-timestamp": String(input.timestampSec),
  };
  if (input.keys.length > 0) {
    headers["webhook-signature"] = input.keys
      .map((k) => `v1,${computeSignature(k, input.id, input.timestampSec, input.body)}`)
      .join(" ");
  }
  return headers;
}
