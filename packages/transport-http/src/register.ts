import { type DependencyContainer, TOKENS } from "@hookline/core";
import { httpTransport } from "./http-transport.js";
import type { HttpTransportOptions } from "./options.js";

/**
 * Add httpTransport(opts) to the container's Transports. Registrations add up (tsyringe keeps each):
 * createHookline finds them all with resolveAll and routes every endpoint by its URL scheme.
 */
export function registerHttpTransport(container: DependencyContainer, opts?: HttpTransportOptions): void {
  container.register(TOKENS.Transport, { useValue: httpTransport(opts) });
}
