import type { ErrorCode } from "../errors/codes.js";
import { describeValue, HooklineError } from "../errors/hookline-error.js";

/**
 * The keys of an options interface as a list the compiler keeps complete: pass an object with
 * every key of `T` set to `true` (a missing or extra key does not compile).
 */
export function keysOf<T>(keys: { readonly [K in keyof Required<T>]: true }): readonly (keyof T & string)[] {
  return Object.freeze(Object.keys(keys)) as readonly (keyof T & string)[];
}

/**
 * Check that `value` is an object (not null, not an array) with no keys outside `known`. A
 * misspelt key would otherwise be ignored and its default used silently (an endpoint written
 * with `secrte:` would go out unsigned), so it is an error naming `where`, the key and the
 * nearest known key. Keys whose value is undefined count too: they are still typos.
 * @param where - names the object in the message, e.g. `endpoint "billing"` or `worker`
 * @param code - @default "HOOKLINE_INVALID_OPTION"
 */
export function assertKnownKeys<K extends string>(
  value: unknown,
  known: readonly K[],
  where: string,
  code: ErrorCode = "HOOKLINE_INVALID_OPTION",
): asserts value is { readonly [P in K]?: unknown } {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new HooklineError(code, `${where}: expected an object, got ${describeValue(value)}`);
  }
  for (const key of Object.keys(value)) {
    if ((known as readonly string[]).includes(key)) continue;
    const near = nearestKey(key, known);
    const hint = near === undefined ? "" : ` (did you mean "${near}"?)`;
    throw new HooklineError(
      code,
      `${where}: unknown key ${quoteKey(key)}${hint}; expected only ${known.join(", ")}`,
      { details: { where, key, ...(near === undefined ? {} : { suggestion: near }) } },
    );
  }
}

/**
 * The known key a misspelt `key` most likely meant: one that differs only in case, else the one
 * at the smallest edit distance (a swap of two neighbours counts as one edit) if that distance
 * is at most a third of the longer name. Undefined when nothing is that close.
 */
export function nearestKey(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  const sameCase = known.find((k) => k.toLowerCase() === lower);
  if (sameCase !== undefined) return sameCase;
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const d = editDistance(lower, candidate.toLowerCase());
    if (d < bestDistance && d <= Math.floor(Math.max(lower.length, candidate.length) / 3)) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

// Optimal string alignment distance: Levenshtein plus adjacent transpositions ("secrte").
function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 16) return Math.abs(a.length - b.length);
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const prev = rows[i - 1] as number[];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      }
      row.push(d);
    }
    rows.push(row);
  }
  return (rows[a.length] as number[])[b.length] as number;
}

// Keys come from user input: quote them so control characters or a huge key cannot garble the message.
function quoteKey(key: string): string {
  return JSON.stringify(key.length > 64 ? `${key.slice(0, 64)}…` : key);
}
