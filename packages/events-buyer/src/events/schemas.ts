import * as v from "valibot";

// Strict objects: the bodies are a fixed contract with existing receivers, so an unexpected
// field is a caller bug to report, not something to forward or drop silently.
// valibot rather than a larger validator: every process that loads the plugin holds the
// library's code for its whole life, and under load V8 sizes the heap to a multiple of that.
const buyerId = v.pipe(v.string(), v.minLength(1, "buyerId must be a non-empty string"));
const name = v.pipe(v.string(), v.minLength(1));
const postCodeList = v.array(v.pipe(v.string(), v.minLength(1)));

/** `user_credits_zero` payload (Hookline adds `eventCode`). */
export const userCreditsZeroSchema = v.strictObject({
  buyerId,
  businessName: name,
  postCodeList,
  remainingCredits: v.pipe(v.number(), v.finite()),
});

/** `post_code_change` payload. */
export const postCodeChangeSchema = v.strictObject({
  buyerId,
  businessName: name,
  postCodeList,
});

/** `add_credits` payload. Note `buyerName`, not `businessName`: existing receivers expect it. */
export const addCreditsSchema = v.strictObject({
  buyerId,
  buyerName: name,
  postCodeList,
  topUpAmount: v.pipe(v.number(), v.finite(), v.gtValue(0)),
});

export type UserCreditsZeroPayload = v.InferInput<typeof userCreditsZeroSchema>;
export type PostCodeChangePayload = v.InferInput<typeof postCodeChangeSchema>;
export type AddCreditsPayload = v.InferInput<typeof addCreditsSchema>;
