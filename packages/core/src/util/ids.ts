import { v7 as uuidv7 } from "uuid";

/** Kinds of record that get an id, and their prefixes. */
export type IdKind = "evt" | "dlv" | "att" | "clm";

/**
 * A prefixed, time-ordered id: `evt_` + a UUIDv7 in 32 lowercase hex digits.
 * Lexicographic order is creation order (uuid's v7 is monotonic within a millisecond),
 * so ids double as cursors and primary keys cluster by time.
 */
export function newId(kind: IdKind): string {
  // Written into one reused buffer and hex-encoded: no dashed string to strip, per id.
  uuidv7(undefined, scratch, 0);
  return `${kind}_${scratch.toString("hex")}`;
}

const scratch = Buffer.alloc(16);

/** Milliseconds since the epoch encoded in an id made by newId. */
export function idTimestamp(id: string): number {
  const hex = id.slice(id.indexOf("_") + 1, id.indexOf("_") + 13);
  return Number.parseInt(hex, 16);
}
