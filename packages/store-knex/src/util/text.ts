/**
 * `s` cut to at most `maxBytes` UTF-8 bytes without splitting a character.
 * Returns the input itself when it fits.
 */
export function truncateUtf8(s: string, maxBytes: number): { text: string; truncated: boolean } {
  // Each UTF-16 unit is at most 3 UTF-8 bytes, so short strings skip the byte count.
  if (s.length * 3 <= maxBytes || Buffer.byteLength(s, "utf8") <= maxBytes)
    return { text: s, truncated: false };
  const buf = Buffer.from(s, "utf8");
  let end = maxBytes;
  // Back off continuation bytes (10xxxxxx) so the cut lands on a character start.
  while (end > 0 && ((buf[end] ?? 0) & 0xc0) === 0x80) end--;
  return { text: buf.subarray(0, end).toString("utf8"), truncated: true };
}

/** JSON text of a header map, or null. */
export function jsonOrNull(v: Readonly<Record<string, string>> | null | undefined): string | null {
  return v == null ? null : JSON.stringify(v);
}

/** Parse a stored header map; tolerates drivers that already parsed JSON. */
export function parseHeaders(v: unknown): Record<string, string> | null {
  if (v == null) return null;
  return (typeof v === "string" ? JSON.parse(v) : v) as Record<string, string>;
}
