import { invalidOption } from "../errors.js";

/** A page size: digits only, 1..max. */
export function parseLimit(what: string, raw: string | undefined, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = /^\d{1,12}$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
  if (!Number.isInteger(n) || n < 1 || n > max) throw invalidOption(what, `an integer from 1 to ${max}`, raw);
  return n;
}

// Cursors are the store's own tokens (ids, "time.id", base64): allow their alphabets, nothing else.
const CURSOR = /^[A-Za-z0-9_.:~+/=-]{1,512}$/;

/** A cursor from a previous page's `nextCursor`. */
export function parseCursor(what: string, raw: string | undefined): string | undefined {
  if (raw === undefined || raw === "") return undefined;
  if (!CURSOR.test(raw)) throw invalidOption(what, "the nextCursor of a previous page", raw);
  return raw;
}

const ID = /^[A-Za-z0-9_.:-]{1,200}$/;

/** A delivery or event id; the shape is checked so junk never reaches the store. */
export function parseId(what: string, raw: string): string {
  if (!ID.test(raw)) throw invalidOption(what, "an id such as dlv_0192… or evt_0192…", raw);
  return raw;
}
