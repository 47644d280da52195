import { sinkConformance } from "@hookline/core/testing";
import { natsTransport } from "../nats-transport.js";
import { describeNats, natsProbe } from "./nats-harness.js";

await describeNats("natsTransport against JetStream", () => {
  sinkConformance("natsTransport", {
    probe: natsProbe,
    create: (_probe, settings) => natsTransport({ timeoutMs: settings.timeoutMs }),
  });
});
