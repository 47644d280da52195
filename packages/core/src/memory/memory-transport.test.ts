import { memoryReceiver } from "../testing/receiver.js";
import { transportConformance } from "../testing/transport-conformance.js";
import { memoryTransport } from "./memory-transport.js";

transportConformance("memory", {
  receiver: async () => memoryReceiver(),
  create: (receiver, settings) => memoryTransport({ receiver, ...settings }),
});
