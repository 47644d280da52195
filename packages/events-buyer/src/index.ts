export { addCredits, postCodeChange, userCreditsZero } from "./events/definitions.js";
export {
  type AddCreditsPayload,
  addCreditsSchema,
  type PostCodeChangePayload,
  postCodeChangeSchema,
  type UserCreditsZeroPayload,
  userCreditsZeroSchema,
} from "./events/schemas.js";
export { BUYER_EVENT_CODES, type BuyerEventCode, buyerEvents } from "./plugin.js";
export {
  type BuyerEmitter,
  type BuyerRef,
  creditsAdded,
  creditsChanged,
  postCodesChanged,
} from "./triggers/triggers.js";
