import { createRequire } from "node:module";
import type { Agent as UndiciAgent, buildConnector as undiciBuildConnector } from "undici";

// undici's entry point also loads fetch, WebSocket, EventSource, its cache and its mocks: about
// 3 MB of heap and 9 MB of RSS held for the life of every process that sends webhooks, and V8
// sizes the old space at a multiple of what stays live. The transport uses two of undici's parts,
// so it loads those by path (undici publishes no exports map, so its files are reachable); a test
// checks they are the very objects the entry point exports.
const require = createRequire(import.meta.url);

/** undici's Agent: a pool of connections per origin. */
export const Agent: typeof UndiciAgent = require("undici/lib/dispatcher/agent.js");
/** undici's socket factory, wrapped by the SSRF guard. */
export const buildConnector: typeof undiciBuildConnector = require("undici/lib/core/connect.js");
