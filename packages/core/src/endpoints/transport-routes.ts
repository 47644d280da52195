import type { Transport } from "../contracts/transport.js";
import { describeValue, HooklineError } from "../errors/hookline-error.js";
import type { ResolvedEndpoint } from "./endpoint-config.js";

/** What a transport serves when it does not say: the contract's default. */
export const DEFAULT_SCHEMES: readonly string[] = Object.freeze(["http", "https"]);

/** The URL scheme of a resolved endpoint, lower case, without the colon. */
export function schemeOf(url: string): string {
  const colon = url.indexOf(":");
  return (colon < 0 ? "" : url.slice(0, colon)).toLowerCase();
}

/**
 * Each endpoint's transport, chosen by its URL's scheme once at construction. Built by
 * createHookline; the attempt runner sends through `forEndpoint`, stop() closes `transports`.
 */
export class TransportRoutes {
  /** Every transport of the instance, each once, in the order given. */
  readonly transports: readonly Transport[];
  readonly #byEndpoint: ReadonlyMap<string, Transport>;

  /**
   * Refuses (at construction) a transport whose `schemes` or `timeoutMs` is malformed, two
   * transports serving one scheme, an endpoint whose scheme no transport serves, and any endpoint
   * its transport's `validateEndpoint` refuses.
   */
  constructor(transports: readonly Transport[], endpoints: readonly ResolvedEndpoint[]) {
    const unique = [...new Set(transports)];
    const byScheme = new Map<string, Transport>();
    for (const [i, transport] of unique.entries()) {
      const schemes = transport.schemes ?? DEFAULT_SCHEMES;
      if (!Array.isArray(schemes) || schemes.some((s) => typeof s !== "string" || s === "")) {
        throw new HooklineError(
          "HOOKLINE_INVALID_OPTION",
          `transports[${i}] ("${transport.name}").schemes: expected an array of URL schemes without the colon`,
        );
      }
      const { timeoutMs } = transport;
      if (
        timeoutMs !== undefined &&
        !(typeof timeoutMs === "number" && timeoutMs > 0 && Number.isFinite(timeoutMs))
      ) {
        throw new HooklineError(
          "HOOKLINE_INVALID_OPTION",
          `transports[${i}] ("${transport.name}").timeoutMs: expected a positive number of ms, got ${describeValue(timeoutMs)}`,
        );
      }
      for (const raw of schemes) {
        const scheme = raw.toLowerCase().replace(/:$/, "");
        const other = byScheme.get(scheme);
        if (other !== undefined && other !== transport) {
          throw new HooklineError(
            "HOOKLINE_INVALID_OPTION",
            `transports: expected each URL scheme served by one transport, but "${scheme}" is served by "${other.name}" and "${transport.name}"`,
            { details: { scheme, transports: [other.name, transport.name] } },
          );
        }
        byScheme.set(scheme, transport);
      }
    }
    const byEndpoint = new Map<string, Transport>();
    for (const ep of endpoints) {
      const scheme = schemeOf(ep.url);
      const transport = byScheme.get(scheme);
      if (transport === undefined) {
        const served = [...byScheme.keys()].join(", ") || "none";
        throw new HooklineError(
          "HOOKLINE_INVALID_CONFIG",
          `endpoint "${ep.id}" url: expected a scheme one of the transports serves (${served}), got "${scheme}"`,
          { details: { endpointId: ep.id, field: "url", scheme, served: [...byScheme.keys()] } },
        );
      }
      transport.validateEndpoint?.({ endpointId: ep.id, url: ep.url });
      byEndpoint.set(ep.id, transport);
    }
    this.transports = Object.freeze(unique);
    this.#byEndpoint = byEndpoint;
  }

  /**
   * The longest a send to `ep` may take: its own `timeoutMs`, else its transport's deadline
   * (0 when neither says).
   */
  deadlineOf(ep: ResolvedEndpoint): number {
    return ep.timeoutMs ?? this.#byEndpoint.get(ep.id)?.timeoutMs ?? 0;
  }

  /** The transport serving an endpoint of this instance; undefined for one it does not know. */
  forEndpoint(endpointId: string): Transport | undefined {
    return this.#byEndpoint.get(endpointId);
  }

  /** Close every transport once, all at once; rejects with the first failure after all settle. */
  async closeAll(): Promise<void> {
    const results = await Promise.allSettled(this.transports.map(async (t) => t.close?.()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) throw failed.reason;
  }
}
