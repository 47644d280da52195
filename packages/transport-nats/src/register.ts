import { type DependencyContainer, TOKENS } from "@hookline/core";
import { natsTransport } from "./nats-transport.js";
import type { NatsTransportOptions } from "./options.js";

/** Register natsTransport(opts) as a Transport of the container. */
export function registerNatsTransport(container: DependencyContainer, opts?: NatsTransportOptions): void {
  container.register(TOKENS.Transport, { useValue: natsTransport(opts) });
}
