import { type DependencyContainer, TOKENS } from "@hookline/core";
import { amqpTransport } from "./amqp-transport.js";
import type { AmqpTransportOptions } from "./options.js";

/**
 * Add amqpTransport(opts) to the container's Transports. Registrations add up (tsyringe keeps each):
 * createHookline finds them all with resolveAll and routes every endpoint by its URL scheme.
 */
export function registerAmqpTransport(container: DependencyContainer, opts?: AmqpTransportOptions): void {
  container.register(TOKENS.Transport, { useValue: amqpTransport(opts) });
}
