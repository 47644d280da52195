import { describeValue, HooklineError } from "../errors/hookline-error.js";
import { assertEventDefinition, type EventDefinition } from "./define-event.js";
import type { HooklinePlugin } from "./plugin.js";

/** The set of known event types, built once from the plugins and then read-only. */
export class EventRegistry {
  readonly #byCode = new Map<string, { definition: EventDefinition; plugin: string }>();

  constructor(plugins: readonly HooklinePlugin[]) {
    if (!Array.isArray(plugins)) {
      throw new HooklineError(
        "HOOKLINE_INVALID_OPTION",
        `plugins: expected an array, got ${describeValue(plugins)}`,
      );
    }
    const names = new Set<string>();
    for (const plugin of plugins) {
      if (typeof plugin?.name !== "string" || plugin.name === "" || !Array.isArray(plugin.events)) {
        throw new HooklineError(
          "HOOKLINE_INVALID_PLUGIN",
          `expected { name: string, events: EventDefinition[] }, got ${describeValue(plugin)}`,
        );
      }
      if (names.has(plugin.name)) {
        throw new HooklineError("HOOKLINE_INVALID_PLUGIN", `plugin "${plugin.name}" is given twice`);
      }
      names.add(plugin.name);
      for (const definition of plugin.events) {
        assertEventDefinition(definition);
        const existing = this.#byCode.get(definition.code);
        if (existing) {
          throw new HooklineError(
            "HOOKLINE_DUPLICATE_EVENT",
            `event code "${definition.code}" is defined by plugin "${existing.plugin}" and again by "${plugin.name}"`,
          );
        }
        this.#byCode.set(definition.code, { definition, plugin: plugin.name });
      }
    }
  }

  /** The definition for `code`, or undefined. */
  get(code: string): EventDefinition | undefined {
    return this.#byCode.get(code)?.definition;
  }

  /** True when `code` is defined. */
  has(code: string): boolean {
    return this.#byCode.has(code);
  }

  /** All known codes, in registration order. */
  codes(): string[] {
    return [...this.#byCode.keys()];
  }

  /** All definitions with the plugin that added each. */
  list(): { definition: EventDefinition; plugin: string }[] {
    return [...this.#byCode.values()];
  }
}
