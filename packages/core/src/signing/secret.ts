import { randomBytes } from "node:crypto";

/** Standard Webhooks secrets: `whsec_` + base64 of 24–64 bytes. */
export const SECRET_PREFIX = "whsec_";
export const SECRET_MIN_BYTES = 24;
export const SECRET_MAX_BYTES = 64;

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Decode a `whsec_` secret to key bytes, or return a reason it is malformed. */
export function decodeSecret(secret: string): Uint8Array | string {
  if (!secret.startsWith(SECRET_PREFIX)) return `expected it to start with "${SECRET_PREFIX}"`;
  const b64 = secret.slice(SECRET_PREFIX.length);
  if (!BASE64.test(b64) || b64.length % 4 !== 0) return "expected base64 after the whsec_ prefix";
  const key = Buffer.from(b64, "base64");
  if (key.length < SECRET_MIN_BYTES || key.length > SECRET_MAX_BYTES) {
    return `expected ${SECRET_MIN_BYTES}–${SECRET_MAX_BYTES} key bytes, got ${key.length}`;
  }
  return new Uint8Array(key);
}

/** A fresh random secret (32 bytes) in `whsec_` form. */
export function generateSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString("base64");
}
