import type { CircuitTransition, EndpointControl } from "../contracts/delivery-control.js";
import type { AttemptResult, DeliveryStore, NewDelivery, NewEvent } from "../contracts/store.js";
import type { EndpointConfig } from "../endpoints/endpoint-config.js";
import { defineEvent } from "../events/define-event.js";
import { definePlugin } from "../events/plugin.js";
import { createHookline } from "../hookline.js";
import { memoryTransport } from "../memory/memory-transport.js";
import type { HooklineOptions } from "../options.js";
import { memoryReceiver } from "../testing/receiver.js";
import { newId } from "../util/ids.js";
import type { Logger } from "../util/logger.js";
import { SECRET, schema, spyStore } from "./helpers.js";

/** A whole-state event (supersede), a subject event, and one without a subject. */
export const stateChanged = defineEvent({
  code: "state_changed",
  description: "A subject's whole state.",
  schema: schema({ id: "string", v: "number" }),
  subject: (p) => p.id,
  supersede: true,
});
export const noteAdded = defineEvent({
  code: "note_added",
  description: "A note about a subject.",
  schema: schema({ id: "string" }),
  subject: (p) => p.id,
});
export const pinged = defineEvent({
  code: "pinged",
  description: "No subject.",
  schema: schema({ n: "number" }),
});
export const controlPlugin = () =>
  definePlugin({ name: "control", events: [stateChanged, noteAdded, pinged] as const });

/** An endpoint on the receiver at `/<id>`, subscribed to everything. */
export const endpoint = (
  baseUrl: string,
  id: string,
  extra: Partial<EndpointConfig> = {},
): EndpointConfig => ({
  id,
  url: `${baseUrl}/${id}`,
  events: "*",
  secret: SECRET,
  ...extra,
});

/** A logger that keeps every line. */
export function captureLogger() {
  const lines: { level: string; fields: Record<string, unknown>; message: string }[] = [];
  const at =
    (level: string) =>
    (fields: Record<string, unknown>, message: string): void => {
      lines.push({ level, fields, message });
    };
  const logger: Logger = { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
  return { logger, lines };
}

/**
 * A memory store that records what core hands it (the insert batches as given, claim and
 * complete options) and can play the store's part in delivery control: `demote` picks claimed
 * inserts to store unclaimed (reported in InsertReport.unclaimed); `circuits` are reported by the
 * next complete().
 */
export function controlStore() {
  const spy = spyStore();
  const inserted: NewEvent[] = [];
  const claimControls: (readonly EndpointControl[] | undefined)[] = [];
  const completeControls: (readonly EndpointControl[] | undefined)[] = [];
  const completed: AttemptResult[] = [];
  const ctl = {
    demote: (_d: NewDelivery, _ev: NewEvent): boolean => false,
    circuits: [] as CircuitTransition[],
  };
  const store: DeliveryStore = {
    ...spy.store,
    async insertEvents(batch, opts) {
      inserted.push(...batch);
      const demoted = new Set<string>();
      const kept = batch.map((ev) => ({
        ...ev,
        deliveries: ev.deliveries.map((d) => {
          if (!d.claim || !ctl.demote(d, ev)) return d;
          demoted.add(d.id);
          const { claim: _claim, ...unclaimed } = d;
          return unclaimed;
        }),
      }));
      const report = await spy.store.insertEvents(kept, opts);
      return { ...report, unclaimed: new Set([...(report.unclaimed ?? []), ...demoted]) };
    },
    claimDue(opts) {
      claimControls.push(opts.controls);
      return spy.store.claimDue(opts);
    },
    async complete(results, opts) {
      completeControls.push(opts?.controls);
      completed.push(...results);
      const report = await spy.store.complete(results, opts);
      return { ...report, circuits: [...(report.circuits ?? []), ...ctl.circuits.splice(0)] };
    },
  };
  /** The delivery of `endpointId` in the inserted event `eventId`, as core built it. */
  const deliveryOf = (eventId: string, endpointId: string): NewDelivery | undefined =>
    inserted.find((ev) => ev.id === eventId)?.deliveries.find((d) => d.endpointId === endpointId);
  /**
   * Store a pending, due delivery without going through emit() (so no one is woken); `ordered`
   * as emit() marks one to an endpoint ordering by subject.
   */
  const insertPending = async (
    endpointId: string,
    subject: string,
    opts: { readonly ordered?: boolean } = {},
  ): Promise<string> => {
    const id = newId("dlv");
    await spy.store.insertEvents([
      {
        id: newId("evt"),
        code: "note_added",
        subject,
        body: JSON.stringify({ id: subject, eventCode: "note_added" }),
        idempotencyKey: null,
        createdAt: new Date(),
        deliveries: [{ id, endpointId, ...(opts.ordered ? { ordered: true } : {}) }],
      },
    ]);
    return id;
  };
  /** Resolve once a started worker has made its first claim and gone to sleep. */
  const workerAsleep = async (): Promise<void> => {
    while (claimControls.length === 0) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 5));
  };
  return {
    store,
    inserted,
    claimControls,
    completeControls,
    completed,
    ctl,
    deliveryOf,
    insertPending,
    workerAsleep,
    spy,
  };
}

type Options = HooklineOptions<ReturnType<typeof controlPlugin>[]>;

/** An instance of the control plugin on a controlStore, with a memory receiver and transport. */
export function controlHooks(
  endpoints: (baseUrl: string) => EndpointConfig[],
  extra: Partial<Omit<Options, "endpoints" | "plugins" | "store" | "transport">> = {},
) {
  const receiver = memoryReceiver();
  const cs = controlStore();
  const hooks = createHookline({
    plugins: [controlPlugin()],
    endpoints: endpoints(receiver.baseUrl),
    store: cs.store,
    transport: memoryTransport({ receiver }),
    ...extra,
  });
  const paths = () => receiver.requests.map((r) => r.path);
  return { hooks, receiver, paths, ...cs };
}
