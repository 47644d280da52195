import type { EventEmitter } from "eventemitter3";
import type { DeliveryStore } from "./contracts/store.js";
import type { Dispatcher } from "./dispatch/dispatcher.js";
import type { DeliveryPipeline } from "./dispatch/pipeline.js";
import type { TransportRoutes } from "./endpoints/transport-routes.js";
import { HooklineError } from "./errors/hookline-error.js";
import type { LifecycleEvents } from "./lifecycle.js";
import type { ResolvedSettings } from "./options.js";
import type { Clock, TimerHandle } from "./util/clock.js";
import type { Logger } from "./util/logger.js";
import type { Worker } from "./worker/worker.js";

/** What stop() shuts down, and what it reports to. */
export interface StopParts {
  readonly settings: ResolvedSettings;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly events: EventEmitter<LifecycleEvents>;
  readonly worker: Worker;
  readonly dispatcher: Dispatcher;
  readonly pipeline: DeliveryPipeline;
  readonly routes: TransportRoutes;
  readonly store: DeliveryStore;
}

/**
 * Stop the worker, the dispatcher and the pipeline in order, then close the adapters; give up
 * after worker.stopGraceMs + worker.stopStoreTimeoutMs, reporting what was abandoned.
 */
export async function boundedStop(p: StopParts): Promise<void> {
  const { stopGraceMs, stopStoreTimeoutMs } = p.settings;
  // Sends get the grace period from now, however long the store steps below take.
  const grace = p.clock.setTimeout(() => p.pipeline.abortSends(), stopGraceMs);
  let waitingFor = "the worker's store call to return (a claim, the endpoint switches or health)";
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= closeAdapters(p);
    return closing;
  };
  // New emits fail from now on, and so do those waiting for room: none is accepted during stop.
  p.dispatcher.refuse();
  const orderly = (async () => {
    await p.worker.stop();
    waitingFor = "emits under way to be stored";
    await p.dispatcher.stop();
    waitingFor = "in-flight attempts to end and be recorded";
    await p.pipeline.drain();
    waitingFor = "the transport and store to close";
    await close();
    return "done" as const;
  })();
  let deadline: TimerHandle | undefined;
  const timedOut = new Promise<"timeout">((resolve) => {
    deadline = p.clock.setTimeout(() => resolve("timeout"), stopGraceMs + stopStoreTimeoutMs);
  });
  try {
    if ((await Promise.race([orderly, timedOut])) === "timeout") {
      p.pipeline.abortSends();
      reportAbandoned(p, waitingFor);
      // Close what still can be (a pool waiting on a hung query may never finish): not awaited.
      close().catch((error: unknown) =>
        p.logger.warn({ error: String(error) }, "closing adapters after stop() gave up failed"),
      );
    }
  } finally {
    p.clock.clearTimeout(grace);
    if (deadline) p.clock.clearTimeout(deadline);
  }
}

async function closeAdapters(p: StopParts): Promise<void> {
  try {
    await p.routes.closeAll();
  } finally {
    await p.store.close();
  }
}

function reportAbandoned(p: StopParts, waitingFor: string): void {
  const { stopGraceMs, stopStoreTimeoutMs } = p.settings;
  const unrecorded = p.pipeline.unsettled;
  const error = new HooklineError(
    "HOOKLINE_STOP_TIMEOUT",
    `stop(): expected to finish within worker.stopGraceMs + worker.stopStoreTimeoutMs (${stopGraceMs} + ${stopStoreTimeoutMs} ms), but it was still waiting for ${waitingFor}, with ${unrecorded} attempt(s) not recorded; gave up on them (their claims are sent again once their lease expires)`,
    { details: { waitingFor, unrecordedAttempts: unrecorded } },
  );
  p.logger.error(
    { waitingFor, unrecordedAttempts: unrecorded, afterMs: stopGraceMs + stopStoreTimeoutMs },
    "stop() gave up waiting for the store",
  );
  p.events.emit("error", { error, context: "stop()" });
}
