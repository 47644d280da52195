import { defineConfig } from "@hookline/core";
import { knexStore } from "@hookline/store-knex";

// The constants file: every webhook URL and which events it receives, in one place.
// ${VAR} placeholders come from the environment; the quickstart sets RECEIVER_ORIGIN once its
// loopback receiver is listening. The secrets are demo values: use your own (whsec_ + base64 of
// 24–64 random bytes, e.g. from `generateSecret()`) and keep them out of source control.
export default defineConfig({
  // For the admin CLI (`npm run -s hookline -- …` from the repository root, whose hookline.config.ts is this one):
  // the same embedded SQLite log the demo writes, ./hookline.sqlite in the working directory.
  store: () => knexStore(),
  endpoints: [
    {
      id: "crm",
      description: "CRM: wants every buyer event",
      url: "${RECEIVER_ORIGIN:-http://127.0.0.1:8080}/crm/webhooks",
      events: ["user_credits_zero", "post_code_change", "add_credits"],
      secret: "${CRM_WEBHOOK_SECRET:-whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw}",
    },
    {
      id: "billing",
      description: "Billing: top-ups only; its first answer is a 503, so you can watch a retry",
      url: "${RECEIVER_ORIGIN:-http://127.0.0.1:8080}/billing/top-ups",
      events: ["add_credits"],
      secret: "${BILLING_WEBHOOK_SECRET:-whsec_dGhpcyBpcyBhIGRlbW8gc2VjcmV0IG9ubHkhIQ==}",
      headers: { "x-api-key": "${BILLING_API_KEY:-demo-key}" },
      retrySchedule: [1_000, 5_000, 30_000],
    },
    {
      id: "sales-alerts",
      description: "Sales team alerts: credits exhausted and coverage changes",
      url: "${RECEIVER_ORIGIN:-http://127.0.0.1:8080}/alerts",
      events: ["user_credits_zero", "post_code_change"],
      secret: "${ALERTS_WEBHOOK_SECRET:-whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw}",
    },
  ],
});
