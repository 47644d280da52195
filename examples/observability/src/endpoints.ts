import type { EndpointConfig } from "@hookline/core";

// Demo secrets, as in the quickstart: use your own and keep them out of source control.
const CRM_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const BILLING_SECRET = "whsec_dGhpcyBpcyBhIGRlbW8gc2VjcmV0IG9ubHkhIQ==";

/**
 * The quickstart's three receivers (same paths, so its demo receiver verifies them and answers
 * billing's first request with a 503). Billing forwards the trace context of each attempt.
 */
export const endpoints = [
  {
    id: "crm",
    url: "${RECEIVER_ORIGIN}/crm/webhooks",
    events: ["user_credits_zero", "post_code_change", "add_credits"],
    secret: CRM_SECRET,
  },
  {
    id: "billing",
    url: "${RECEIVER_ORIGIN}/billing/top-ups",
    events: ["add_credits"],
    secret: BILLING_SECRET,
    retrySchedule: [1_000, 5_000, 30_000],
    // The receiver gets a W3C traceparent naming this attempt's span, so its own spans join the trace.
    propagateTraceContext: true,
  },
  {
    id: "sales-alerts",
    url: "${RECEIVER_ORIGIN}/alerts",
    events: ["user_credits_zero", "post_code_change"],
    secret: CRM_SECRET,
  },
] as const satisfies readonly EndpointConfig[];

/** Each endpoint's secret by URL path, as the demo receiver looks them up. */
export const secretByPath: Record<string, string> = Object.fromEntries(
  endpoints.map((e) => [e.url.replace("${RECEIVER_ORIGIN}", ""), e.secret]),
);
