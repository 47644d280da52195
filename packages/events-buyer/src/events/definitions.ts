import { defineEvent } from "@hookline/core";
import { addCreditsSchema, postCodeChangeSchema, userCreditsZeroSchema } from "./schemas.js";

/** User Credits 0: a buyer is left with zero credits, or fewer than one lead costs. */
export const userCreditsZero = defineEvent({
  code: "user_credits_zero",
  description: "A buyer is left with zero credits, or fewer than one lead costs.",
  schema: userCreditsZeroSchema,
  subject: (p) => p.buyerId,
});

/**
 * Post Code Change: a buyer updates their post codes. The body is the buyer's whole current list,
 * so a newer change supersedes older ones still waiting to be delivered.
 */
export const postCodeChange = defineEvent({
  code: "post_code_change",
  description: "A buyer updates their post codes.",
  schema: postCodeChangeSchema,
  subject: (p) => p.buyerId,
  supersede: true,
});

/** Add Credits: a buyer tops up their account. */
export const addCredits = defineEvent({
  code: "add_credits",
  description: "A buyer tops up their account.",
  schema: addCreditsSchema,
  subject: (p) => p.buyerId,
});
