import type { EventEmitter } from "eventemitter3";
import type { DeliveryStore, EndpointState } from "../contracts/store.js";
import type { LifecycleEvents } from "../lifecycle.js";
import type { Logger } from "../util/logger.js";
import { CircuitView } from "./circuit-view.js";

/**
 * This process's view of the persisted endpoint switches: which endpoints are disabled, and
 * when each was last re-enabled (auto-disable must not count failures from before that).
 */
export class EndpointSwitches {
  readonly disabled = new Set<string>();
  /** Which circuits are open, as last read or reported (a hint for emit(); the store decides). */
  readonly circuits = new CircuitView();
  readonly #states = new Map<string, EndpointState>();
  #loaded = false;
  #loading: Promise<void> | undefined;

  constructor(
    private readonly store: DeliveryStore,
    private readonly events: EventEmitter<LifecycleEvents>,
    private readonly logger: Logger,
  ) {}

  /** When the endpoint's switch last changed, if it has one. */
  changedAt(endpointId: string): Date | null {
    return this.#states.get(endpointId)?.updatedAt ?? null;
  }

  /** Reload persisted switches (an admin may have changed them from another process). */
  async refresh(): Promise<void> {
    const states = await this.store.getEndpointStates();
    this.disabled.clear();
    this.#states.clear();
    for (const s of states) {
      this.#states.set(s.endpointId, s);
      if (s.disabled) this.disabled.add(s.endpointId);
    }
    this.circuits.load(states);
    this.#loaded = true;
  }

  /**
   * Undefined once the switches have been read; otherwise the one read every caller awaits
   * (emit() may run before start(), and must not send to an endpoint disabled earlier). A failed
   * read is forgotten, so the next caller tries again.
   */
  ensureLoaded(): Promise<void> | undefined {
    if (this.#loaded) return undefined;
    this.#loading ??= this.refresh().finally(() => {
      this.#loading = undefined;
    });
    return this.#loading;
  }

  /**
   * Persist the switch (cancelling pending deliveries) and announce it. An `automatic` disable
   * (410, long failure) skips an endpoint this process already knows is off; an explicit one
   * always writes. A failed write is an `error` event; an explicit disable also throws it.
   */
  async disable(endpointId: string, reason: string, opts: { readonly automatic: boolean }): Promise<void> {
    const { automatic } = opts;
    if (automatic && this.disabled.has(endpointId)) return;
    this.disabled.add(endpointId);
    try {
      const { cancelled } = await this.store.setEndpointDisabled(endpointId, true, reason);
      this.logger.warn({ endpointId, reason, cancelled }, "endpoint disabled");
      this.events.emit("endpoint.disabled", { endpointId, reason });
    } catch (error) {
      // Forget the local switch so a later 410 or admin call tries the write again.
      this.disabled.delete(endpointId);
      this.events.emit("error", { error, context: `disabling endpoint ${endpointId}` });
      if (!automatic) throw error;
    }
  }

  /** Persist the re-enable, then re-read the switches so changedAt carries the store's own time. */
  async enable(endpointId: string): Promise<void> {
    await this.store.setEndpointDisabled(endpointId, false);
    await this.refresh();
  }
}
