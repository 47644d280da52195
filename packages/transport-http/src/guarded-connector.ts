import { isIP } from "node:net";
import type { SecureContext } from "node:tls";
import type { buildConnector as undiciConnector } from "undici";
import type { ResolvedOptions } from "./options.js";
import { addressVerdict, blockedError, guardedLookup, normalizeHost } from "./ssrf-guard.js";
import { CONFIRM_GRACE_MS, confirmHandshake } from "./tls-confirm.js";
import { buildConnector } from "./undici-parts.js";

/** What an endpoint's own TLS settings add to the connector; the address checks stay the same. */
export interface ConnectorTls {
  /** Built once per endpoint from its ca, cert, key and passphrase. */
  readonly secureContext: SecureContext;
  /** Sent in SNI and checked against the certificate instead of the URL's host. */
  readonly servername?: string;
  /** A client certificate is configured: wait until the receiver accepted it (see tls-confirm). */
  readonly clientCertificate: boolean;
}

/**
 * The socket factory for the transport's Agents (the shared one and each endpoint's TLS one). Names are judged by guardedLookup on the very
 * answer the socket connects to; IP literals never reach a lookup, so they are judged here, at
 * connect time too. checkUrl already refused them up front: this second check is what keeps any
 * other path to a socket (a redirect handler, a future interceptor) inside the guard.
 */
export function guardedConnector(opts: ResolvedOptions, tls?: ConnectorTls): undiciConnector.connector {
  const { ssrf } = opts;
  const lookup = ssrf.enabled ? guardedLookup(ssrf, opts.lookup) : opts.lookup;
  const built = buildConnector({
    timeout: opts.connectTimeoutMs,
    ...(lookup ? { lookup } : {}),
    ...(tls ? { secureContext: tls.secureContext } : {}),
  });
  // undici prefers a servername derived from a Host header over the connector's own: the
  // configured one must win, and it only changes what TLS checks, never where the socket goes.
  const servername = tls?.servername;
  const confirm = tls?.clientCertificate === true;
  const connect: undiciConnector.connector =
    servername === undefined && !confirm
      ? built
      : (options, callback) =>
          built(servername === undefined ? options : { ...options, servername }, (...args) => {
            if (args[0] !== null || !confirm) callback(...args);
            else confirmHandshake(args[1], CONFIRM_GRACE_MS, callback);
          });
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
