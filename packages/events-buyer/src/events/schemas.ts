import { z } from "zod";

// Strict objects: the bodies are a fixed contract with existing receivers, so an unexpected
// field is a caller bug to report, not something to forward or drop silently.
const buyerId = z.string().min(1, "buyerId must be a non-empty string");
const name = z.string().min(1);
const postCodeList = z.array(z.string().min(1));

/** `user_credits_zero` payload (Hookline adds `eventCode`). */
export const userCreditsZeroSchema = z.strictObject({
  buyerId,
  businessName: name,
  postCodeList,
  remainingCredits: z.number().finite(),
});

/** `post_code_change` payload. */
export const postCodeChangeSchema = z.strictObject({
  buyerId,
  businessName: name,
  postCodeList,
});

/** `add_credits` payload. Note `buyerName`, not `businessName`: existing receivers expect it. */
export const addCreditsSchema = z.strictObject({
  buyerId,
  buyerName: name,
  postCodeList,
  topUpAmount: z.number().finite().positive(),
});

export type UserCreditsZeroPayload = z.input<typeof userCreditsZeroSchema>;
export type PostCodeChangePayload = z.input<typeof postCodeChangeSchema>;
export type AddCreditsPayload = z.input<typeof addCreditsSchema>;
