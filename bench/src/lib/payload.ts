/** A fixed, valid signing secret: the bench measures throughput, not key handling. */
export const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
export const EVENT_CODE = "user_credits_zero";

/**
 * The buyer event every scenario sends. Field values are padded so the signed body is about
 * 150 bytes (the benchmark's reference size); the buyer id varies so subjects differ per event.
 */
export function buyerPayload(i: number) {
  return {
    buyerId: `buyer-${String(i % 10_000_000).padStart(7, "0")}`,
    businessName: "Northwind Plumbing Ltd",
    postCodeList: ["AB", "BN", "GN"],
    remainingCredits: 0,
  };
}

/** The exact body Hookline builds for `buyerPayload(i)` (payload + eventCode). */
export const bodyFor = (i: number): string => JSON.stringify({ ...buyerPayload(i), eventCode: EVENT_CODE });

/** Size of the body in bytes, reported with the results. */
export const BODY_BYTES = Buffer.byteLength(bodyFor(0), "utf8");

/** One endpoint subscribed to every event: one delivery per event. */
export const endpointFor = (url: string) => [{ id: "bench", url, events: "*" as const, secret: SECRET }];
