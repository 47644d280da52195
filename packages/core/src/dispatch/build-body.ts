import type { StandardSchemaV1 } from "@standard-schema/spec";
import { describeValue, HooklineError } from "../errors/hookline-error.js";
import type { EventDefinition } from "../events/define-event.js";

/** Longest subject the stores index (VARCHAR(255)). */
export const MAX_SUBJECT = 255;

/** A validated event ready to store and send. */
export interface BuiltBody {
  readonly body: string;
  readonly subject: string | null;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function pathOf(issue: StandardSchemaV1.Issue): string {
  if (!issue.path || issue.path.length === 0) return "(root)";
  return issue.path.map((p) => String(typeof p === "object" ? p.key : p)).join(".");
}

/**
 * validate → body = payload + eventCode → serialise → size check. Every failure throws a coded
 * error before anything is stored or sent.
 */
export async function buildBody(
  def: EventDefinition,
  payload: unknown,
  maxBodyBytes: number,
): Promise<BuiltBody> {
  if (!isPlainObject(payload)) {
    throw new HooklineError(
      "HOOKLINE_INVALID_PAYLOAD",
      `event "${def.code}": expected a plain object payload, got ${describeValue(payload)}`,
    );
  }
  let result: StandardSchemaV1.Result<unknown>;
  try {
    result = await def.schema["~standard"].validate(payload);
  } catch (cause) {
    // Schemas throw on values they cannot even inspect (e.g. a throwing getter).
    throw new HooklineError(
      "HOOKLINE_INVALID_PAYLOAD",
      `event "${def.code}": the schema threw while validating`,
      {
        cause,
      },
    );
  }
  if (result.issues) {
    const issues = result.issues.map((i) => ({ path: pathOf(i), message: i.message }));
    throw new HooklineError(
      "HOOKLINE_INVALID_PAYLOAD",
      `event "${def.code}": payload does not match its schema: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`,
      { details: { issues } },
    );
  }
  const value = result.value as Record<string, unknown>;
  if ("eventCode" in value && value.eventCode !== def.code) {
    throw new HooklineError(
      "HOOKLINE_INVALID_PAYLOAD",
      `event "${def.code}": expected no eventCode (Hookline adds it), got ${describeValue(value.eventCode)}`,
    );
  }
  let body: string;
  try {
    body = JSON.stringify({ ...value, eventCode: def.code });
  } catch (cause) {
    throw new HooklineError(
      "HOOKLINE_UNSERIALIZABLE_PAYLOAD",
      `event "${def.code}": expected a JSON-serialisable payload, but JSON.stringify failed: ${(cause as Error).message}`,
      { cause },
    );
  }
  const bytes = Buffer.byteLength(body, "utf8");
  if (bytes > maxBodyBytes) {
    throw new HooklineError(
      "HOOKLINE_PAYLOAD_TOO_LARGE",
      `event "${def.code}": expected a body of at most ${maxBodyBytes} bytes, got ${bytes}`,
    );
  }
  let subject: string | null = null;
  if (def.subject) {
    const s = def.subject(value);
    subject = s === undefined || s === null ? null : String(s);
  }
  // Checked here, per event: a bad subject must not fail the other emits batched with it.
  if (subject !== null && (subject.length > MAX_SUBJECT || subject.includes("\u0000"))) {
    throw new HooklineError(
      "HOOKLINE_INVALID_PAYLOAD",
      `event "${def.code}": expected a subject of at most ${MAX_SUBJECT} characters without NUL, got ${describeValue(subject)}`,
    );
  }
  return { body, subject };
}
