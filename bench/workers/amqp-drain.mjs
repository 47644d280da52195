// The benchmark's RabbitMQ consumer, in its own process (like the HTTP receiver) so draining the
// queue does not share the dispatcher's event loop. It consumes one queue with automatic acks, so
// the queue stays short however fast Hookline publishes, and counts what it got.
// Started by lib/brokers.ts as `amqp-drain.mjs --url=AMQP_URL --queue=NAME`; "count" over IPC
// reports messages consumed.
import { parseArgs } from "node:util";
import { connect } from "amqplib";

const { values } = parseArgs({
  options: { url: { type: "string" }, queue: { type: "string" } },
  strict: true,
});
if (!values.url || !values.queue) throw new Error("amqp-drain: --url and --queue are required");
const model = await connect(values.url);
const channel = await model.createChannel();
let count = 0;
await channel.consume(values.queue, (m) => void (m !== null && count++), { noAck: true });
process.send({ ready: true });
process.on("message", (m) => {
  if (m === "count") process.send({ count });
});
process.on("disconnect", async () => {
  await model.close().catch(() => {});
  process.exit(0);
});
