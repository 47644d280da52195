import { invalidOption } from "../errors/hookline-error.js";

/** The bounds and the fallback of one integer option. */
export interface IntOptionRange {
  /** Smallest value accepted. */
  readonly min: number;
  /** Largest value accepted. */
  readonly max: number;
  /** Used when the option is not given. */
  readonly default: number;
}

/**
 * Check one integer option of an adapter's factory: `undefined` gives the default, anything but a
 * whole number within the bounds throws HOOKLINE_INVALID_OPTION naming the option, the range and
 * what was given.
 */
export function intOption(name: string, value: unknown, range: IntOptionRange): number {
  if (value === undefined) return range.default;
  const { min, max } = range;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw invalidOption(name, `an integer from ${min} to ${max}`, value);
  }
  return value;
}

/**
 * Check every integer option named in `ranges` with intOption(), in the table's order, so a
 * factory lists its bounds and defaults once, side by side.
 */
export function intOptions<K extends string>(
  given: NoInfer<{ readonly [P in K]?: unknown }>,
  ranges: { readonly [P in K]: IntOptionRange },
): { [P in K]: number } {
  const out = {} as { [P in K]: number };
  for (const name of Object.keys(ranges) as K[]) out[name] = intOption(name, given[name], ranges[name]);
  return out;
}
