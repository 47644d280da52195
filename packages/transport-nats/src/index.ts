export { messageId } from "./message-id.js";
export { natsTransport } from "./nats-transport.js";
export { DEFAULT_NATS_PORT, NATS_SCHEMES, type NatsTarget, parseNatsUrl } from "./nats-url.js";
export type { NatsTransportOptions } from "./options.js";
export { registerNatsTransport } from "./register.js";
