import type { Dispatcher } from "undici";

/** What arrived of a response before it ended, was capped, or failed. */
export interface Collected {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  bodyTruncated?: boolean;
}

/** How a dispatched request ended: a whole (or capped) response, or an error after `partial`. */
export type Settled =
  | { readonly ok: true; readonly response: Required<Collected> }
  | { readonly ok: false; readonly error: unknown; readonly partial: Collected };

function flattenHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name in raw) {
    const value = raw[name];
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

/** Thrown into undici to drop a socket whose response passed the read cap. */
class CapReached extends Error {}

/**
 * An undici dispatch handler that keeps the status, headers and the first `maxBytes` of the body,
 * and calls `settle` exactly once. It works on undici's callbacks directly rather than through
 * `request()`: no body stream, no promise per chunk and no AbortSignal per attempt, which is most
 * of what an attempt costs in Node. A body past the cap settles at once, and the request is
 * aborted so the socket is dropped: an endless body costs at most one chunk past the cap.
 */
export class ResponseCollector implements Dispatcher.DispatchHandler {
  readonly #maxBytes: number;
  readonly #settle: (s: Settled) => void;
  readonly #released: () => void;
  #undiciDone = false;
  #controller: Dispatcher.DispatchController | undefined;
  #pendingAbort: Error | undefined;
  #done = false;
  #status: number | undefined;
  #headers: Record<string, string> | undefined;
  #chunks: Buffer[] = [];
  #size = 0;

  /**
   * `settle` reports the outcome (at the deadline at the latest); `released` runs once undici is
   * done with the request, which for one still queued behind a busy socket can be later.
   */
  constructor(maxBytes: number, settle: (s: Settled) => void, released: () => void) {
    this.#maxBytes = maxBytes;
    this.#settle = settle;
    this.#released = released;
  }

  /** Stop the request (deadline or shutdown); `settleWith` is what the caller reports. */
  abort(reason: Error, settleWith: unknown): void {
    this.#finish({ ok: false, error: settleWith, partial: this.#partial() });
    // A request still waiting for a pooled socket has no controller yet; it is aborted on start.
    if (this.#controller) this.#controller.abort(reason);
    else this.#pendingAbort = reason;
  }

  /** The request failed before undici took it (e.g. an argument it refuses). */
  fail(error: unknown): void {
    this.#finish({ ok: false, error, partial: this.#partial() });
    this.#release();
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.#pendingAbort) controller.abort(this.#pendingAbort);
  }

  onResponseStart(
    _c: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    // 1xx are interim; the final response follows on the same request.
    if (statusCode < 200) return;
    this.#status = statusCode;
    this.#headers = flattenHeaders(headers);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#done) return;
    const room = this.#maxBytes - this.#size;
    if (room > 0) this.#chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
    this.#size += chunk.length;
    if (this.#size > this.#maxBytes) {
      this.#finish({ ok: true, response: this.#response(true) });
      controller.abort(new CapReached("response body passed the read cap"));
    }
  }

  onResponseEnd(): void {
    this.#finish({ ok: true, response: this.#response(false) });
    this.#release();
  }

  onResponseError(_c: Dispatcher.DispatchController, error: Error): void {
    this.#finish({ ok: false, error, partial: this.#partial() });
    this.#release();
  }

  #release(): void {
    if (this.#undiciDone) return;
    this.#undiciDone = true;
    this.#released();
  }

  #finish(s: Settled): void {
    if (this.#done) return;
    this.#done = true;
    this.#settle(s);
  }

  #text(): string {
    const chunks = this.#chunks;
    if (chunks.length === 1) return chunks[0]!.toString("utf8");
    return Buffer.concat(chunks, Math.min(this.#size, this.#maxBytes)).toString("utf8");
  }

  #response(truncated: boolean): Required<Collected> {
    return {
      status: this.#status ?? 0,
      headers: this.#headers ?? {},
      body: this.#text(),
      bodyTruncated: truncated,
    };
  }

  /** A response cut short: the bytes that did arrive, marked truncated. */
  #partial(): Collected {
    if (this.#status === undefined) return {};
    return { status: this.#status, headers: this.#headers ?? {}, body: this.#text(), bodyTruncated: true };
  }
}
