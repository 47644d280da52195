import { timingSafeEqual } from "node:crypto";
import { HooklineError } from "../errors/hookline-error.js";
import { decodeSecret } from "./secret.js";
import { computeSignature } from "./sign.js";

/** Header bag as Node's IncomingHttpHeaders or a Fetch `Headers`. */
export type HeaderSource = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

/** Input for verify(). */
export interface VerifyInput {
  /** The raw request body, exactly as received (never re-serialised JSON). */
  readonly body: string | Uint8Array;
  /** The request headers. */
  readonly headers: HeaderSource;
  /** One or more `whsec_` secrets; any of them may match. */
  readonly secret: string | readonly string[];
  /** Allowed clock distance in seconds. @default 300 */
  readonly toleranceSec?: number;
  /** The receiver's notion of now. @default new Date() */
  readonly now?: Date;
}

/** What a verified request carries. */
export interface VerifiedWebhook {
  readonly id: string;
  readonly timestamp: Date;
  /** The parsed JSON body. */
  readonly payload: unknown;
}

function header(headers: HeaderSource, name: string): string | undefined {
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? undefined;
  const bag = headers as Record<string, string | readonly string[] | undefined>;
  // Plain objects from frameworks are not always lower-cased; header names are case-insensitive.
  const key = name in bag ? name : Object.keys(bag).find((k) => k.toLowerCase() === name);
  const v = key === undefined ? undefined : bag[key];
  return Array.isArray(v) ? v.join(" ") : (v as string | undefined);
}

/**
 * Verify a Standard Webhooks request for a receiver: all three headers present, timestamp within
 * tolerance, and at least one `v1` signature matching one secret (constant-time compare).
 * Throws HooklineError (HOOKLINE_SIGNATURE_MISSING, HOOKLINE_TIMESTAMP_OUT_OF_TOLERANCE,
 * HOOKLINE_SIGNATURE_INVALID) otherwise.
 */
export function verify(input: VerifyInput): VerifiedWebhook {
  const id = header(input.headers, "webhook-id");
  const ts = header(input.headers, "webhook-timestamp");
  const sig = header(input.headers, "webhook-signature");
  if (!id || !ts || !sig) {
    const missing = [!id && "webhook-id", !ts && "webhook-timestamp", !sig && "webhook-signature"].filter(
      Boolean,
    );
    throw new HooklineError(
      "HOOKLINE_SIGNATURE_MISSING",
      `expected headers ${missing.join(", ")}, found none`,
    );
  }
  const tolerance = input.toleranceSec ?? 300;
  const nowSec = Math.floor((input.now ?? new Date()).getTime() / 1000);
  const tsSec = /^\d{1,12}$/.test(ts) ? Number(ts) : Number.NaN;
  if (!Number.isFinite(tsSec) || Math.abs(nowSec - tsSec) > tolerance) {
    throw new HooklineError(
      "HOOKLINE_TIMESTAMP_OUT_OF_TOLERANCE",
      `expected webhook-timestamp within ${tolerance}s of ${nowSec}, got "${ts}"`,
    );
  }
  // Bytes are MACed as they came: decoding first would let invalid UTF-8 verify as U+FFFD.
  const body = input.body;
  const secrets = typeof input.secret === "string" ? [input.secret] : input.secret;
  const candidates = sig
    .split(" ")
    .filter((s) => s.startsWith("v1,"))
    .map((s) => Buffer.from(s.slice(3), "base64"));
  for (const secret of secrets) {
    const key = decodeSecret(secret);
    if (typeof key === "string") {
      throw new HooklineError("HOOKLINE_INVALID_OPTION", `verify(): secret is malformed: ${key}`);
    }
    const expected = Buffer.from(computeSignature(key, id, tsSec, body), "base64");
    if (candidates.some((c) => c.length === expected.length && timingSafeEqual(c, expected))) {
      const text = typeof body === "string" ? body : Buffer.from(body).toString("utf8");
      let payload: unknown;
      try {
        payload = JSON.parse(text);
      } catch {
        payload = text;
      }
      return Object.freeze({ id, timestamp: new Date(tsSec * 1000), payload });
    }
  }
  throw new HooklineError(
    "HOOKLINE_SIGNATURE_INVALID",
    `expected a v1 signature matching one of ${secrets.length} secret(s), none of ${candidates.length} matched`,
  );
}
