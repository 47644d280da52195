import type { Transport } from "./contracts/transport.js";
import { type DependencyContainer, container as rootContainer, TOKENS } from "./di/tokens.js";
import type { ResolvedEndpoint } from "./endpoints/endpoint-config.js";
import { TransportRoutes } from "./endpoints/transport-routes.js";
import { HooklineError } from "./errors/hookline-error.js";
import type { HooklinePlugin } from "./events/plugin.js";
import type { EventRegistry } from "./events/registry.js";
import type { HooklineRuntimeConfig } from "./hookline.js";
import { givenTransports, type HooklineOptions } from "./options.js";
import { systemClock } from "./util/clock.js";
import { silentLogger } from "./util/logger.js";

function registerIfGiven<T>(c: DependencyContainer, token: symbol, value: T | undefined, fallback?: T): void {
  if (value !== undefined) c.register(token, { useValue: value });
  else if (fallback !== undefined && !c.isRegistered(token, true)) c.register(token, { useValue: fallback });
}

/**
 * The instance's child container: its config, registry and adapters. Adapters given in `opts`
 * win; otherwise whatever the parent container has registered against TOKENS is used.
 */
export function hooklineContainer<const Plugins extends readonly HooklinePlugin[]>(
  opts: HooklineOptions<Plugins>,
  config: HooklineRuntimeConfig,
  registry: EventRegistry,
): DependencyContainer {
  const child = (opts.container ?? rootContainer).createChildContainer();
  child.register(TOKENS.Config, { useValue: Object.freeze(config) });
  child.register(TOKENS.EventRegistry, { useValue: registry });
  registerIfGiven(child, TOKENS.Store, opts.store);
  // Every transport given is registered, so resolveAll sees them; without any, the container's.
  for (const transport of givenTransports(opts) ?? [])
    child.register(TOKENS.Transport, { useValue: transport });
  registerIfGiven(child, TOKENS.Clock, opts.clock, systemClock);
  registerIfGiven(child, TOKENS.Logger, opts.logger, silentLogger);
  for (const plugin of opts.plugins) plugin.register?.(child);
  for (const [name, token] of [
    ["store", TOKENS.Store],
    ["transport", TOKENS.Transport],
  ] as const) {
    if (!child.isRegistered(token, true)) {
      throw new HooklineError(
        "HOOKLINE_INVALID_OPTION",
        `${name}: expected an adapter in options or registered on the container (TOKENS.${name === "store" ? "Store" : "Transport"}), got none`,
      );
    }
  }
  // All registered transports (tsyringe keeps each registration: register* calls add up).
  const routes = new TransportRoutes(child.resolveAll<Transport>(TOKENS.Transport), config.endpoints);
  checkLease(routes, config);
  child.register(TransportRoutes, { useValue: routes });
  return child;
}

/**
 * An attempt may start with half its lease left (see DeliveryPipeline), so a send whose deadline
 * is longer than that could outlive the lease: another worker would claim and send it again.
 */
function checkLease(routes: TransportRoutes, config: HooklineRuntimeConfig): void {
  const { leaseMs } = config.settings.worker;
  let slowest: { readonly ep: ResolvedEndpoint; readonly ms: number } | undefined;
  for (const ep of config.endpoints) {
    const ms = routes.deadlineOf(ep);
    if (ms > (slowest?.ms ?? 0)) slowest = { ep, ms };
  }
  if (slowest === undefined || slowest.ms * 2 <= leaseMs) return;
  const { ep, ms } = slowest;
  const whose =
    ep.timeoutMs !== undefined
      ? `endpoint "${ep.id}" timeoutMs`
      : `timeoutMs of the transport serving endpoint "${ep.id}"`;
  throw new HooklineError(
    "HOOKLINE_INVALID_OPTION",
    `worker.leaseMs: expected at least twice the longest send deadline (${whose}: ${ms} ms), got ${leaseMs}`,
    { details: { option: "worker.leaseMs", endpointId: ep.id, deadlineMs: ms, leaseMs } },
  );
}
