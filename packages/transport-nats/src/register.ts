import { type DependencyContainer, TOKENS } from "@hookline/core";
import { natsTransport } from "./nats-transport.js";
import type { NatsTransportOptions } from "./options.js";

/**
 * Add natsTransport(opts) to the container's Transports. Registrations add up (tsyringe keeps each):
 * createHookline finds them all with resolveAll and routes every endpoint by its URL scheme.
 */
export function registerNatsTransport(container: DependencyContainer, opts?: NatsTransportOptions): void {
  container.register(TOKENS.Transport, { useValue: natsTransport(opts) });
}
