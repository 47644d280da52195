import type { AttemptRequestRewrite, StoredAttemptRequest } from "../contracts/store.js";
import { describeValue, HooklineError } from "../errors/hookline-error.js";
import { redactCredentialHeaders, redactUrl } from "./redact.js";

const DEFAULT_BATCH = 500;
const MAX_BATCH = 10_000;

/** redactAttempts' batch size: the default, or a checked integer from 1 to 10 000. */
export function redactBatchSize(batchSize: number | undefined): number {
  const n = batchSize ?? DEFAULT_BATCH;
  if (!Number.isInteger(n) || n < 1 || n > MAX_BATCH) {
    throw new HooklineError(
      "HOOKLINE_INVALID_OPTION",
      `batchSize: expected an integer from 1 to ${MAX_BATCH}, got ${describeValue(batchSize)}`,
    );
  }
  return n;
}

/**
 * What a store writes back for one attempt under redactAttempts: the rewrite's answer passed
 * through the store's own pass (redactUrl, redactCredentialHeaders), so a rewrite can never put
 * a credential back; `changed` is false when that equals what is stored.
 */
export function rewriteStoredRequest(
  rewrite: AttemptRequestRewrite,
  stored: StoredAttemptRequest,
): {
  readonly url: string | null;
  readonly requestHeaders: Record<string, string> | null;
  readonly changed: boolean;
} {
  const next = rewrite(stored);
  const url = next.url === null ? null : redactUrl(next.url);
  const requestHeaders = next.requestHeaders === null ? null : redactCredentialHeaders(next.requestHeaders);
  const changed = url !== stored.url || !sameHeaders(requestHeaders, stored.requestHeaders);
  return { url, requestHeaders, changed };
}

function sameHeaders(
  a: Readonly<Record<string, string>> | null,
  b: Readonly<Record<string, string>> | null,
): boolean {
  if (a === null || b === null) return a === b;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((k) => Object.hasOwn(b, k) && a[k] === b[k]);
}
