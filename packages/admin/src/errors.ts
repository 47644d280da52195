import { describeValue, HooklineError } from "@hookline/core";

/** `HOOKLINE_INVALID_OPTION` in the house style: "<what>: expected …, got …". */
export function invalidOption(what: string, expected: string, got?: unknown): HooklineError {
  const tail = got === undefined ? "" : `, got ${describeValue(got)}`;
  return new HooklineError("HOOKLINE_INVALID_OPTION", `${what}: expected ${expected}${tail}`);
}

/** `HOOKLINE_NOT_FOUND` for an id the store does not know. */
export function notFound(kind: string, id: string, hint = ""): HooklineError {
  return new HooklineError(
    "HOOKLINE_NOT_FOUND",
    `${kind} ${JSON.stringify(id)}: expected an existing ${kind} id, found none${hint ? ` (${hint})` : ""}`,
  );
}
