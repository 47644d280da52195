import type { ErrorCode } from "@hookline/core";
import type { StopReason } from "./attempt-clock.js";

/** What the broker did with one message, or why it was not published. */
export type PublishResult =
  | { readonly ok: true; readonly returned?: string }
  | { readonly ok: false; readonly code: ErrorCode; readonly message: string; readonly nacked?: true }
  | { readonly stopped: StopReason };

export const failed = (code: ErrorCode, message: string): PublishResult => ({ ok: false, code, message });
