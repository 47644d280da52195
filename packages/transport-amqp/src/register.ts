import { type DependencyContainer, TOKENS } from "@hookline/core";
import { amqpTransport } from "./amqp-transport.js";
import type { AmqpTransportOptions } from "./options.js";

/** Register amqpTransport(opts) as the container's Transport. */
export function registerAmqpTransport(container: DependencyContainer, opts?: AmqpTransportOptions): void {
  container.register(TOKENS.Transport, { useValue: amqpTransport(opts) });
}
