import { createRequire } from "node:module";
import type { Agent as UndiciAgent, buildConnector as undiciBuildConnector } from "undici";

// undici's entry point also loads fetch, WebSocket, EventSource, its cache and its mocks: about
// 3 MB of heap held for the life of every process that sends webhooks (a process loading only
// undici: 61 against 52 MB of RSS), and V8 sizes the old space at a multiple of what stays live.
// The transport uses two of undici's parts, so it loads those by path. undici publishes no
// exports map, so its files are reachable; should a release move them, the entry point is used.
// Loaded with require at run time: a bundler must keep undici external.
const require = createRequire(import.meta.url);

function part<T>(path: string, name: "Agent" | "buildConnector"): T {
  try {
    return require(path) as T;
  } catch {
    return (require("undici") as Record<typeof name, T>)[name];
  }
}

/**
 * What the transport uses of an undici Agent. Loaded by path, an Agent lacks the `request()`
 * family the entry point adds to every dispatcher, so the type leaves those out.
 */
export type TransportAgent = Pick<UndiciAgent, "dispatch" | "close" | "destroy">;

/** undici's Agent: a pool of connections per origin. */
export const Agent: new (opts: UndiciAgent.Options) => TransportAgent = part(
  "undici/lib/dispatcher/agent.js",
  "Agent",
);
/** undici's socket factory, wrapped by the SSRF guard. */
export const buildConnector: typeof undiciBuildConnector = part(
  "undici/lib/core/connect.js",
  "buildConnector",
);
