import { invalidOption as coreInvalidOption, HooklineError } from "@hookline/core";

/** `HOOKLINE_INVALID_OPTION` in the house style: "<what>: expected …, got …". */
export function invalidOption(what: string, expected: string, got?: unknown): HooklineError {
  return got === undefined ? coreInvalidOption(what, expected) : coreInvalidOption(what, expected, got);
}

/** `HOOKLINE_NOT_FOUND` for an id the store does not know. */
export function notFound(kind: string, id: string, hint = ""): HooklineError {
  return new HooklineError(
    "HOOKLINE_NOT_FOUND",
    `${kind} ${JSON.stringify(id)}: expected an existing ${kind} id, found none${hint ? ` (${hint})` : ""}`,
  );
}
