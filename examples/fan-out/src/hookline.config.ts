import { defineConfig } from "@hookline/core";
import { knexStore } from "@hookline/store-knex";

// One buyer event, three kinds of destination: each endpoint's URL scheme picks its transport.
// ${VAR} placeholders come from the environment. The example sets RECEIVER_ORIGIN once its
// loopback receiver listens, and FANOUT_QUEUE / FANOUT_SUBJECT to the queue and the stream
// subject it creates for the run. The broker logins are the local brokers' defaults: a URL may
// carry credentials, which are substituted here, never stored, and redacted in the log.
// The secrets are demo values: use your own (whsec_ + base64 of 24–64 random bytes).
export default defineConfig({
  store: () => knexStore(),
  endpoints: [
    {
      id: "crm",
      description: "CRM: an HTTP receiver",
      url: "${RECEIVER_ORIGIN:-http://127.0.0.1:8080}/crm/webhooks",
      events: ["add_credits"],
      secret: "${CRM_WEBHOOK_SECRET:-whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw}",
    },
    {
      id: "billing-queue",
      description: "Billing: reads top-ups from a RabbitMQ queue (default exchange, routing key = queue)",
      url: "amqp://${RABBITMQ_USER:-guest}:${RABBITMQ_PASSWORD:-guest}@${RABBITMQ_HOST:-127.0.0.1:5672}/?routingKey=${FANOUT_QUEUE:-hookline-fan-out}",
      events: ["add_credits"],
      secret: "${BILLING_WEBHOOK_SECRET:-whsec_dGhpcyBpcyBhIGRlbW8gc2VjcmV0IG9ubHkhIQ==}",
      headers: { "x-team": "billing" },
    },
    {
      id: "analytics-stream",
      description: "Analytics: reads buyer events from a NATS JetStream stream",
      url: "nats://${NATS_HOST:-127.0.0.1:4222}/${FANOUT_SUBJECT:-hookline.fan-out.buyers}",
      events: ["add_credits"],
      secret: "${ANALYTICS_WEBHOOK_SECRET:-whsec_YW5hbHl0aWNzIGRlbW8gc2VjcmV0IG9ubHkh}",
    },
  ],
});
