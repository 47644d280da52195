import { type DependencyContainer, TOKENS } from "@hookline/core";
import { httpTransport } from "./http-transport.js";
import type { HttpTransportOptions } from "./options.js";

/** Register httpTransport(opts) as the container's Transport. */
export function registerHttpTransport(container: DependencyContainer, opts?: HttpTransportOptions): void {
  container.register(TOKENS.Transport, { useValue: httpTransport(opts) });
}
