import { describeValue, HooklineError } from "../errors/hookline-error.js";
import { assertKnownKeys, keysOf } from "../util/strict-keys.js";
import type { AttemptSummary } from "./pipeline.js";

/** Per-call options of emit(). */
export interface EmitOptions {
  /** A second emit with the same key returns the original event and sends nothing. */
  readonly idempotencyKey?: string;
  /** A knex transaction (or the store's equivalent): the event commits or rolls back with it. */
  readonly trx?: unknown;
  /** "accepted": resolve once stored; "attempted": also wait for the first attempts. @default "accepted" */
  readonly wait?: "accepted" | "attempted";
}

/** What emit() resolves with. */
export interface EmitResult {
  readonly eventId: string;
  /** True when the idempotency key was seen before: these are the original event's ids. */
  readonly duplicate: boolean;
  readonly deliveries: readonly { readonly id: string; readonly endpointId: string }[];
  /** Present with `wait: "attempted"`: the first attempt of each delivery sent by this call. */
  readonly attempts?: readonly AttemptSummary[];
}

/** Every key of EmitOptions; another (`idempotencykey`) is an error before anything is stored. */
export const EMIT_OPTION_KEYS = keysOf<EmitOptions>({ idempotencyKey: true, trx: true, wait: true });

/** Refuse unknown keys and bad values before anything is stored. */
export function checkEmitOptions(opts: EmitOptions): void {
  assertKnownKeys(opts, EMIT_OPTION_KEYS, "emit options");
  const key = opts.idempotencyKey;
  if (key !== undefined && (typeof key !== "string" || key.length === 0 || key.length > 200)) {
    throw new HooklineError(
      "HOOKLINE_INVALID_OPTION",
      `idempotencyKey: expected a string of 1–200 chars, got ${describeValue(key)}`,
    );
  }
  if (opts.wait !== undefined && opts.wait !== "accepted" && opts.wait !== "attempted") {
    throw new HooklineError(
      "HOOKLINE_INVALID_OPTION",
      `wait: expected "accepted" or "attempted", got ${describeValue(opts.wait)}`,
    );
  }
}
