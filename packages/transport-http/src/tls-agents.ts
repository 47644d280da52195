import { createSecureContext } from "node:tls";
import type { EndpointTls } from "@hookline/core";
import { type ConnectorTls, guardedConnector } from "./guarded-connector.js";
import type { ResolvedOptions } from "./options.js";
import { Agent, type TransportAgent } from "./undici-parts.js";

/** Endpoints are few and their TLS objects fixed, so agents are kept; the bound only guards misuse. */
const MAX_TLS_AGENTS = 256;

/** The shared pool settings; an endpoint's TLS agent differs only in how it connects. */
export function createAgent(opts: ResolvedOptions, tls?: ConnectorTls): TransportAgent {
  return new Agent({
    connections: opts.connectionsPerOrigin,
    pipelining: 1,
    keepAliveTimeout: opts.keepAliveTimeoutMs,
    keepAliveMaxTimeout: opts.keepAliveTimeoutMs,
    connect: guardedConnector(opts, tls),
  });
}

/** An endpoint's agent, or why its TLS material cannot be used (no secret is quoted). */
export type TlsAgent =
  | { readonly ok: true; readonly agent: TransportAgent }
  | { readonly ok: false; readonly reason: string };

/**
 * One Agent per endpoint TLS object. Core hands the same frozen object to every attempt of an
 * endpoint, so keying on it gives each endpoint its own pool and TLS session cache: a session
 * resumed under one endpoint's client certificate is never offered for another's.
 */
export class TlsAgents {
  readonly #opts: ResolvedOptions;
  readonly #agents = new Map<EndpointTls, TlsAgent>();

  constructor(opts: ResolvedOptions) {
    this.#opts = opts;
  }

  get(tls: EndpointTls): TlsAgent {
    let entry = this.#agents.get(tls);
    if (entry === undefined) {
      entry = this.#build(tls);
      if (this.#agents.size >= MAX_TLS_AGENTS) this.#evictOldest();
      this.#agents.set(tls, entry);
    }
    return entry;
  }

  #build(tls: EndpointTls): TlsAgent {
    let secureContext: ConnectorTls["secureContext"];
    try {
      // Parsed once here rather than on every connection; an option left out keeps Node's default.
      secureContext = createSecureContext({
        ...(tls.ca === undefined ? {} : { ca: [...tls.ca] }),
        ...(tls.cert === undefined ? {} : { cert: tls.cert }),
        ...(tls.key === undefined ? {} : { key: tls.key }),
        ...(tls.passphrase === undefined ? {} : { passphrase: tls.passphrase }),
      });
    } catch (err) {
      // OpenSSL's messages name the failing check, never the PEM or the passphrase.
      const code = (err as { code?: unknown }).code;
      const detail = err instanceof Error ? err.message : String(err);
      return {
        ok: false,
        reason: `the endpoint's tls settings are unusable: ${typeof code === "string" ? `${code}: ` : ""}${detail}`,
      };
    }
    const clientCertificate = tls.cert !== undefined;
    const connector: ConnectorTls =
      tls.servername === undefined
        ? { secureContext, clientCertificate }
        : { secureContext, clientCertificate, servername: tls.servername };
    return { ok: true, agent: createAgent(this.#opts, connector) };
  }

  #evictOldest(): void {
    const [key, oldest] = this.#agents.entries().next().value ?? [];
    if (key === undefined) return;
    this.#agents.delete(key);
    // close() lets requests already queued on it finish; new ones get a fresh agent.
    if (oldest?.ok) void oldest.agent.close().catch(() => {});
  }

  async close(): Promise<void> {
    const agents = [...this.#agents.values()].flatMap((e) => (e.ok ? [e.agent] : []));
    this.#agents.clear();
    await Promise.all(agents.map((a) => a.close()));
  }
}
