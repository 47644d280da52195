import type { LifecycleListener } from "./hookline.js";
import type { LifecycleEvents } from "./lifecycle.js";
import type { Logger } from "./util/logger.js";

/**
 * Lifecycle listeners as registered on the emitter. A throwing listener must not break delivery
 * (or reject an emit whose event is already stored, inviting a duplicate): its error goes to the
 * logger instead.
 */
export class GuardedListeners {
  readonly #logger: Logger;
  // Your listener, and the guarded one registered for it (so off() can find it).
  readonly #guarded = new WeakMap<(...args: never[]) => void, (...args: never[]) => void>();

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /** The guarded listener to register for `listener` (one per listener, reused). */
  guard<E extends keyof LifecycleEvents>(event: E, listener: LifecycleListener<E>): LifecycleListener<E> {
    const existing = this.#guarded.get(listener as never);
    if (existing) return existing as never;
    const guarded = (...args: LifecycleEvents[E]) => {
      try {
        listener(...args);
      } catch (error) {
        this.#logger.error({ error: String(error) }, `a "${event}" listener threw`);
      }
    };
    this.#guarded.set(listener as never, guarded as never);
    return guarded;
  }

  /** What to remove from the emitter for `listener`: its guarded one, or itself if never guarded. */
  registered<E extends keyof LifecycleEvents>(listener: LifecycleListener<E>): LifecycleListener<E> {
    return (this.#guarded.get(listener as never) ?? listener) as never;
  }
}
