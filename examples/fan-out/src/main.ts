import { runFanOut } from "./run.js";

const { deliveries, http, amqp, nats } = await runFanOut();
const failed = deliveries.filter((d) => d.status !== "succeeded");
const unverified = [...http, ...amqp, ...nats].filter((m) => !m.verified);
console.log(
  failed.length === 0 && unverified.length === 0
    ? `\nAll ${deliveries.length} deliveries succeeded and every consumer verified the signature. The log is in ./hookline.sqlite.`
    : `\n${failed.length} of ${deliveries.length} deliveries did not succeed; ${unverified.length} messages failed verification.`,
);
process.exitCode = failed.length === 0 && unverified.length === 0 ? 0 : 1;
