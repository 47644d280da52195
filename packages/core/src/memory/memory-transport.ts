import { classifyResponse } from "../contracts/classify.js";
import type { DeliveryOutcome, DeliveryRequest, Transport } from "../contracts/transport.js";
import { HooklineError } from "../errors/hookline-error.js";
import type { TestReceiver } from "../testing/receiver.js";

/** Options for memoryTransport. */
export interface MemoryTransportOptions {
  /** Where requests go; every URL is routed to it by path. */
  readonly receiver: Pick<TestReceiver, "handle">;
  /** Total deadline per attempt. @default 15000 */
  readonly timeoutMs?: number;
  /** Response bytes kept. @default 16384 */
  readonly maxResponseBytes?: number;
  /** Treat 410 as permanent and disable the endpoint. @default true */
  readonly disableOn410?: boolean;
}

/**
 * A Transport that hands requests to an in-process receiver: the reference implementation for
 * unit tests. It classifies, caps and times out exactly like a network transport.
 */
export function memoryTransport(opts: MemoryTransportOptions): Transport {
  if (typeof opts?.receiver?.handle !== "function") {
    throw new HooklineError("HOOKLINE_INVALID_OPTION", "receiver: expected a TestReceiver with handle()");
  }
  const cfg = Object.freeze({
    timeoutMs: opts.timeoutMs ?? 15_000,
    maxResponseBytes: opts.maxResponseBytes ?? 16_384,
    disableOn410: opts.disableOn410 ?? true,
  });
  return {
    name: "memory",
    timeoutMs: cfg.timeoutMs,
    async send(req: DeliveryRequest, { signal }: { signal: AbortSignal }): Promise<DeliveryOutcome> {
      const started = performance.now();
      const elapsed = () => Math.round(performance.now() - started);
      // An attempt aborted before it starts is not handed over: a network transport sends nothing then.
      if (signal.aborted) {
        return {
          kind: "retryable",
          durationMs: elapsed(),
          error: { code: "HOOKLINE_ABORTED", message: "aborted before sending" },
        };
      }
      const timeoutMs = req.timeoutMs ?? cfg.timeoutMs;
      let timer: NodeJS.Timeout | undefined;
      let onAbort: (() => void) | undefined;
      const deadline = new Promise<"timeout" | "aborted">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), timeoutMs);
        onAbort = () => resolve("aborted");
        if (signal.aborted) onAbort();
        else signal.addEventListener("abort", onAbort, { once: true });
      });
      try {
        const url = new URL(req.url);
        const path = url.pathname + url.search;
        const reply = await Promise.race([
          opts.receiver.handle({ method: "POST", path, headers: req.headers, body: req.body }),
          deadline,
        ]);
        if (reply === "timeout" || reply === "aborted") {
          const code = reply === "timeout" ? "HOOKLINE_TIMEOUT" : "HOOKLINE_ABORTED";
          return { kind: "retryable", durationMs: elapsed(), error: { code, message: `attempt ${reply}` } };
        }
        const bytes = Buffer.from(reply.body, "utf8");
        const truncated = bytes.length > cfg.maxResponseBytes;
        const headers = Object.fromEntries(
          Object.entries(reply.headers).map(([k, v]) => [k.toLowerCase(), v]),
        );
        return classifyResponse(
          {
            status: reply.status,
            headers,
            body: truncated ? bytes.subarray(0, cfg.maxResponseBytes).toString("utf8") : reply.body,
            bodyTruncated: truncated,
            durationMs: elapsed(),
          },
          cfg,
        );
      } catch (err) {
        return {
          kind: "retryable",
          durationMs: elapsed(),
          error: { code: "HOOKLINE_NETWORK_ERROR", message: (err as Error).message },
        };
      } finally {
        clearTimeout(timer);
        if (onAbort) signal.removeEventListener("abort", onAbort);
      }
    },
  };
}
