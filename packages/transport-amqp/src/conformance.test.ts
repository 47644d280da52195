import { sinkConformance } from "@hookline/core/testing";
import { amqpProbe, describeBroker } from "./__fixtures__/broker.js";
import { amqpTransport } from "./amqp-transport.js";

describeBroker("amqpTransport against RabbitMQ", () => {
  sinkConformance("amqpTransport", {
    probe: amqpProbe,
    create: (_probe, settings) => amqpTransport({ timeoutMs: settings.timeoutMs }),
  });
});
