import type { DependencyContainer } from "tsyringe";
import type { EventDefinition, EventInput } from "./define-event.js";

/** A bundle of event types (and optional DI registrations) added to a Hookline instance. */
export interface HooklinePlugin<Events extends readonly EventDefinition[] = readonly EventDefinition[]> {
  /** Unique plugin name, for errors and the dashboard. */
  readonly name: string;
  /** The event types this plugin adds. */
  readonly events: Events;
  /** Optional hook to register services on the instance's child container. */
  register?(container: DependencyContainer): void;
}

/** Identity helper that keeps the literal event codes for typed emit(). */
export function definePlugin<const Events extends readonly EventDefinition[]>(
  plugin: HooklinePlugin<Events>,
): HooklinePlugin<Events> {
  return plugin;
}

type DefinitionsOf<P> = P extends HooklinePlugin<infer E> ? E[number] : never;

/** Map from event code to emit() payload type, computed from a plugin tuple. */
export type EventPayloads<Plugins extends readonly HooklinePlugin[]> = {
  [D in DefinitionsOf<Plugins[number]> as D["code"]]: EventInput<D>;
};
