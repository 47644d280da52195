import type { StandardSchemaV1 } from "@standard-schema/spec";
import { describeValue, HooklineError } from "../errors/hookline-error.js";

/** Event codes are lower snake case, 1–64 chars, starting with a letter (e.g. `add_credits`). */
export const EVENT_CODE_PATTERN = /^[a-z][a-z0-9_.]{0,63}$/;

/** A webhook event type: its code, human description, payload schema and optional subject. */
export interface EventDefinition<Code extends string = string, Input = unknown, Output = Input> {
  /** Stable code sent as `eventCode` in every body. */
  readonly code: Code;
  /** What fires this event, for docs and the dashboard. */
  readonly description: string;
  /** Any Standard Schema validator (zod, valibot, arktype…). */
  readonly schema: StandardSchemaV1<Input, Output>;
  /** Picks the log's `subject` (e.g. a buyer id) from the validated payload. */
  // Method syntax on purpose: it keeps definitions with specific payloads assignable to EventDefinition.
  subject?(payload: Output): string | undefined;
  /**
   * Each event carries a subject's whole current state, so a newer one makes the older ones
   * still waiting pointless: emitting it cancels (`HOOKLINE_SUPERSEDED`, replayable) the
   * deliveries of the same code and subject that are still pending, per endpoint (unless the
   * endpoint says `supersede: false`). Needs `subject`. @default false
   */
  readonly supersede?: boolean;
}

/** Payload type a caller passes to emit() for a definition. */
export type EventInput<D> = D extends EventDefinition<string, infer I, unknown> ? I : never;

/**
 * Declare an event type. The schema is any Standard Schema implementation; the payload type
 * of `emit()` is inferred from it.
 */
export function defineEvent<const Code extends string, S extends StandardSchemaV1>(def: {
  code: Code;
  description: string;
  schema: S;
  subject?: (payload: StandardSchemaV1.InferOutput<S>) => string | undefined;
  supersede?: boolean;
}): EventDefinition<Code, StandardSchemaV1.InferInput<S>, StandardSchemaV1.InferOutput<S>> {
  assertEventDefinition(def);
  return Object.freeze({ ...def });
}

/** Throws HOOKLINE_INVALID_EVENT_DEFINITION unless `def` is a well-formed definition. */
export function assertEventDefinition(def: unknown): asserts def is EventDefinition {
  const d = def as Partial<EventDefinition> | null;
  const fail = (what: string, given: unknown) => {
    throw new HooklineError("HOOKLINE_INVALID_EVENT_DEFINITION", `${what}, got ${describeValue(given)}`);
  };
  if (typeof d !== "object" || d === null) return fail("expected an event definition object", d);
  if (typeof d.code !== "string" || !EVENT_CODE_PATTERN.test(d.code)) {
    fail(`expected code to match ${EVENT_CODE_PATTERN} (lower snake case, max 64 chars)`, d.code);
  }
  if (typeof d.description !== "string" || d.description.trim() === "") {
    fail(`event "${d.code}": expected a non-empty description`, d.description);
  }
  const std = (d.schema as StandardSchemaV1 | undefined)?.["~standard"];
  if (std?.version !== 1 || typeof std.validate !== "function") {
    fail(`event "${d.code}": expected schema to implement Standard Schema v1`, d.schema);
  }
  if (d.subject !== undefined && typeof d.subject !== "function") {
    fail(`event "${d.code}": expected subject to be a function`, d.subject);
  }
  if (d.supersede !== undefined && typeof d.supersede !== "boolean") {
    fail(`event "${d.code}": expected supersede to be a boolean`, d.supersede);
  }
  if (d.supersede === true && d.subject === undefined) {
    // Supersede works per subject: without one, nothing would ever be superseded.
    fail(`event "${d.code}": expected a subject function with supersede: true`, d.subject);
  }
}
