import type { ErrorCode } from "./codes.js";

/** Structured extra data on an error, e.g. the list of schema issues. */
export type ErrorDetails = Readonly<Record<string, unknown>>;

/**
 * The one error family Hookline throws. `code` is stable and documented in docs/errors.md;
 * the message says what was expected and what was given.
 */
export class HooklineError extends Error {
  override readonly name = "HooklineError";
  readonly code: ErrorCode;
  readonly details: ErrorDetails | undefined;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; details?: ErrorDetails } = {}) {
    super(`${code}: ${message}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details;
  }
}

/** True when `err` is a HooklineError, optionally with the given code. */
export function isHooklineError(err: unknown, code?: ErrorCode): err is HooklineError {
  return err instanceof HooklineError && (code === undefined || err.code === code);
}

/** Short, safe description of a value for error messages ("a string", "an array of 3"). */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === "string")
    return value.length > 60 ? `a string of ${value.length} chars` : JSON.stringify(value);
  if (typeof value === "object")
    return `an object (${Object.getPrototypeOf(value)?.constructor?.name ?? "null prototype"})`;
  return `${typeof value} ${String(value)}`;
}

/**
 * HOOKLINE_INVALID_OPTION in the house style: "<name>: expected <expected>, got <given>". Omit
 * `given` (rather than passing undefined) when the value must not be echoed, e.g. a secret.
 */
export function invalidOption(name: string, expected: string, ...given: [unknown?]): HooklineError {
  const tail = given.length > 0 ? `, got ${describeValue(given[0])}` : "";
  return new HooklineError("HOOKLINE_INVALID_OPTION", `${name}: expected ${expected}${tail}`);
}
