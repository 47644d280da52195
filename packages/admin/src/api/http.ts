import type { IncomingMessage, ServerResponse } from "node:http";
import { type ErrorCode, isHooklineError } from "@hookline/core";

/** Codes the API answers with: core's stable codes (docs/errors.md). */
export type ApiErrorCode = ErrorCode;

/** An answer that is not 2xx, with the code and one-line message of the JSON error body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

export const MAX_BODY_BYTES = 16_384;

/**
 * The client went away before its request was read (closed the socket mid-body). Nobody is left
 * to answer and the server did nothing wrong, so it is not a 5xx.
 */
export class ClientAbort extends Error {
  constructor(cause: unknown) {
    super("the client closed the connection before its request body was complete", { cause });
  }
}

const BASE_HEADERS = {
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
};

export function send(
  res: ServerResponse,
  status: number,
  body: string,
  contentType: string,
  extra: Readonly<Record<string, string>> = {},
): void {
  res.writeHead(status, { ...BASE_HEADERS, "content-type": contentType, ...extra });
  res.end(body);
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, JSON.stringify(value), "application/json; charset=utf-8");
}

/** The HTTP status and body for anything a route threw. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (isHooklineError(err)) {
    const msg = err.message.replace(/^[A-Z_]+: /, "");
    switch (err.code) {
      case "HOOKLINE_INVALID_OPTION":
        return new ApiError(err.details?.conflict ? 409 : 400, err.code, msg);
      case "HOOKLINE_NOT_FOUND":
        return new ApiError(404, err.code, msg);
      case "HOOKLINE_STORE_ERROR":
        return new ApiError(503, err.code, msg);
      default:
        return new ApiError(500, err.code, msg);
    }
  }
  // Unknown failures may carry internals (SQL, paths); the client learns only that it happened.
  return new ApiError(500, "HOOKLINE_INTERNAL_ERROR", "the admin API failed unexpectedly");
}

export function sendError(res: ServerResponse, err: ApiError): void {
  res.writeHead(err.status, {
    ...BASE_HEADERS,
    "content-type": "application/json; charset=utf-8",
    ...err.headers,
  });
  res.end(JSON.stringify({ error: { code: err.code, message: err.message } }));
}

/**
 * A JSON object body. Requiring application/json also keeps cross-site forms out: a browser
 * cannot send that content type to another origin without a CORS preflight, which is never granted.
 */
export async function readJsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/json")
    throw new ApiError(
      415,
      "HOOKLINE_INVALID_OPTION",
      `content-type: expected application/json, got ${JSON.stringify(type || "none")}`,
    );
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY_BYTES)
        throw new ApiError(413, "HOOKLINE_INVALID_OPTION", `body: expected at most ${MAX_BODY_BYTES} bytes`);
      chunks.push(chunk as Buffer);
    }
  } catch (err) {
    // node:http fails the body stream with "aborted" (ECONNRESET) when the peer hangs up early.
    if (!(err instanceof ApiError) && !req.complete) throw new ClientAbort(err);
    throw err;
  }
  const text = Buffer.concat(chunks).toString("utf8").trim();
  if (text === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ApiError(
      400,
      "HOOKLINE_INVALID_OPTION",
      "body: expected a JSON object, got text that does not parse",
    );
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new ApiError(400, "HOOKLINE_INVALID_OPTION", "body: expected a JSON object");
  return value as Record<string, unknown>;
}
