import { describeValue, type EmitOptions, type EmitResult, HooklineError } from "@hookline/core";
import type { AddCreditsPayload, PostCodeChangePayload, UserCreditsZeroPayload } from "../events/schemas.js";

/** Anything that can emit the buyer events (a Hookline built with buyerEvents(), among other plugins). */
export interface BuyerEmitter {
  emit(code: "user_credits_zero", payload: UserCreditsZeroPayload, opts?: EmitOptions): Promise<EmitResult>;
  emit(code: "post_code_change", payload: PostCodeChangePayload, opts?: EmitOptions): Promise<EmitResult>;
  emit(code: "add_credits", payload: AddCreditsPayload, opts?: EmitOptions): Promise<EmitResult>;
}

/** The buyer as the service knows it. */
export interface BuyerRef {
  readonly buyerId: string;
  readonly businessName: string;
  readonly postCodeList: readonly string[];
}

function finite(name: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new HooklineError(
      "HOOKLINE_INVALID_PAYLOAD",
      `${name}: expected a finite number, got ${describeValue(v)}`,
    );
  }
  return v;
}

/**
 * Call after every credit deduction. Emits `user_credits_zero` only when the balance crosses from
 * enough-for-a-lead to zero or below the lead cost, so later deductions do not repeat it.
 * Resolves with the emit result, or null when nothing was emitted.
 */
export async function creditsChanged(
  hooks: BuyerEmitter,
  input: { buyer: BuyerRef; previousCredits: number; remainingCredits: number; leadCost: number },
  opts?: EmitOptions,
): Promise<EmitResult | null> {
  const prev = finite("previousCredits", input.previousCredits);
  const now = finite("remainingCredits", input.remainingCredits);
  const cost = finite("leadCost", input.leadCost);
  if (cost <= 0) throw new HooklineError("HOOKLINE_INVALID_PAYLOAD", `leadCost: expected > 0, got ${cost}`);
  const exhausted = (credits: number) => credits <= 0 || credits < cost;
  if (exhausted(prev) || !exhausted(now)) return null;
  return hooks.emit(
    "user_credits_zero",
    {
      buyerId: input.buyer.buyerId,
      businessName: input.buyer.businessName,
      postCodeList: [...input.buyer.postCodeList],
      remainingCredits: now,
    },
    opts,
  );
}

/**
 * Call when a buyer saves their post codes. Emits `post_code_change` only when the set really
 * changed (order and repeats do not count), carrying the new list as given.
 */
export async function postCodesChanged(
  hooks: BuyerEmitter,
  input: {
    buyer: Omit<BuyerRef, "postCodeList">;
    previousPostCodes: readonly string[];
    postCodeList: readonly string[];
  },
  opts?: EmitOptions,
): Promise<EmitResult | null> {
  const before = new Set(input.previousPostCodes);
  const after = new Set(input.postCodeList);
  const same = before.size === after.size && [...after].every((c) => before.has(c));
  if (same) return null;
  return hooks.emit(
    "post_code_change",
    {
      buyerId: input.buyer.buyerId,
      businessName: input.buyer.businessName,
      postCodeList: [...input.postCodeList],
    },
    opts,
  );
}

/** Call after a successful top-up: emits `add_credits` (the body says `buyerName`). */
export function creditsAdded(
  hooks: BuyerEmitter,
  input: { buyer: BuyerRef; topUpAmount: number },
  opts?: EmitOptions,
): Promise<EmitResult> {
  return hooks.emit(
    "add_credits",
    {
      buyerId: input.buyer.buyerId,
      buyerName: input.buyer.businessName,
      postCodeList: [...input.buyer.postCodeList],
      topUpAmount: input.topUpAmount,
    },
    opts,
  );
}
