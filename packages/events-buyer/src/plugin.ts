import { definePlugin } from "@hookline/core";
import { addCredits, postCodeChange, userCreditsZero } from "./events/definitions.js";

/** The buyer plugin: `user_credits_zero`, `post_code_change`, `add_credits`. */
export function buyerEvents() {
  return definePlugin({ name: "buyer", events: [userCreditsZero, postCodeChange, addCredits] as const });
}

/** The buyer plugin's event codes. */
export const BUYER_EVENT_CODES = ["user_credits_zero", "post_code_change", "add_credits"] as const;
export type BuyerEventCode = (typeof BUYER_EVENT_CODES)[number];
