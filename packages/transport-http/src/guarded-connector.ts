import { isIP } from "node:net";
import { buildConnector } from "undici";
import type { ResolvedOptions } from "./options.js";
import { addressVerdict, blockedError, guardedLookup, normalizeHost } from "./ssrf-guard.js";

/**
 * The socket factory for the transport's Agent. Names are judged by guardedLookup on the very
 * answer the socket connects to; IP literals never reach a lookup, so they are judged here, at
 * connect time too. checkUrl already refused them up front: this second check is what keeps any
 * other path to a socket (a redirect handler, a future interceptor) inside the guard.
 */
export function guardedConnector(opts: ResolvedOptions): buildConnector.connector {
  const { ssrf } = opts;
  const lookup = ssrf.enabled ? guardedLookup(ssrf, opts.lookup) : opts.lookup;
  const connect = buildConnector({ timeout: opts.connectTimeoutMs, ...(lookup ? { lookup } : {}) });
  if (!ssrf.enabled) return connect;
  return (options, callback) => {
    const host = normalizeHost(options.hostname);
    const why = isIP(host) === 0 ? undefined : addressVerdict(ssrf, host);
    if (why !== undefined) {
      queueMicrotask(() => callback(blockedError(host, why), null));
      return;
    }
    return connect(options, callback);
  };
}
