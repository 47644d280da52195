import type { DeliveryOutcome } from "./transport.js";

/** Statuses where a receiver's Retry-After is honoured. */
const RETRY_AFTER_STATUSES = new Set([429, 502, 503, 504]);

/** Options shared by transports for status classification. */
export interface ClassifyOptions {
  /** Treat 410 Gone as permanent and disable the endpoint. @default true */
  readonly disableOn410?: boolean;
}

/**
 * Classify an HTTP response the same way for every transport: 2xx success; 410 permanent (and
 * disable); 3xx a failure that is never followed; everything else retryable, with Retry-After
 * parsed on 429/502/503/504.
 */
export function classifyResponse(
  res: {
    status: number;
    headers: Readonly<Record<string, string>>;
    body?: string;
    bodyTruncated?: boolean;
    durationMs: number;
  },
  opts: ClassifyOptions = {},
  now?: Date,
): DeliveryOutcome {
  const base = {
    status: res.status,
    headers: res.headers,
    body: res.body ?? "",
    bodyTruncated: res.bodyTruncated ?? false,
    durationMs: res.durationMs,
  };
  // Built field by field: this runs once per attempt, and a spread copy is measurable there.
  if (res.status >= 200 && res.status < 300)
    return {
      kind: "success",
      status: base.status,
      headers: base.headers,
      body: base.body,
      bodyTruncated: base.bodyTruncated,
      durationMs: base.durationMs,
    };
  if (res.status === 410 && (opts.disableOn410 ?? true)) {
    return {
      kind: "permanent",
      ...base,
      disableEndpoint: true,
      error: { code: "HOOKLINE_ENDPOINT_GONE", message: "receiver answered 410 Gone" },
    };
  }
  if (res.status >= 300 && res.status < 400) {
    const location = res.headers.location;
    return {
      kind: "retryable",
      ...base,
      error: {
        code: "HOOKLINE_REDIRECT",
        message: `receiver answered ${res.status}${location ? ` to ${location}` : ""}; redirects are not followed`,
      },
    };
  }
  const retryAfterMs = RETRY_AFTER_STATUSES.has(res.status)
    ? parseRetryAfter(res.headers["retry-after"], now ?? new Date())
    : undefined;
  return {
    kind: "retryable",
    ...base,
    error: { code: "HOOKLINE_HTTP_STATUS", message: `receiver answered ${res.status}` },
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  };
}

/**
 * Parse Retry-After as delta-seconds or an HTTP date. Garbage, negatives and past dates give
 * undefined (ignored); bounding happens in the retry policy.
 */
export function parseRetryAfter(value: string | undefined, now: Date = new Date()): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (/^\d{1,10}$/.test(v)) return Number(v) * 1000;
  // An HTTP date starts with a weekday: "Sun, 06 Nov 1994 …" (IMF), "Sunday, 06-Nov-94 …" (RFC 850)
  // or "Sun Nov  6 …" (asctime). Date.parse alone accepts bare numbers and junk.
  if (!/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,? /.test(v)) return undefined;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  const ms = at - now.getTime();
  return Math.max(ms, 0);
}
