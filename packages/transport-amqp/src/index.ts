export { AMQP_SCHEMES, amqpTransport } from "./amqp-transport.js";
export type { AmqpTransportOptions } from "./options.js";
export { registerAmqpTransport } from "./register.js";
