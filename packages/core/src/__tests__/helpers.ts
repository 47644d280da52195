import type { StandardSchemaV1 } from "@standard-schema/spec";
import type { ErrorCode } from "../errors/codes.js";
import { isHooklineError } from "../errors/hookline-error.js";
import { defineEvent } from "../events/define-event.js";
import { definePlugin } from "../events/plugin.js";
import { generateSecret } from "../signing/secret.js";

type Shape = Record<string, "string" | "number" | "string[]">;
type Infer<S extends Shape> = {
  [K in keyof S]: S[K] extends "string" ? string : S[K] extends "number" ? number : string[];
};

/** A tiny Standard Schema validator so core's tests need no schema library. */
export function schema<S extends Shape>(shape: S): StandardSchemaV1<Infer<S>, Infer<S>> {
  return {
    "~standard": {
      version: 1,
      vendor: "test",
      validate(value) {
        const v = value as Record<string, unknown>;
        const issues: StandardSchemaV1.Issue[] = [];
        for (const [key, type] of Object.entries(shape)) {
          const x = v[key];
          const ok =
            type === "string[]"
              ? Array.isArray(x) && x.every((i) => typeof i === "string")
              : typeof x === type;
          if (!ok) issues.push({ message: `expected ${type}`, path: [key] });
        }
        return issues.length ? { issues } : { value: { ...v } as Infer<S> };
      },
    },
  };
}

export const orderPlaced = defineEvent({
  code: "order_placed",
  description: "An order was placed.",
  schema: schema({ orderId: "string", total: "number" }),
  subject: (p) => p.orderId,
});
export const orderShipped = defineEvent({
  code: "order_shipped",
  description: "An order shipped.",
  schema: schema({ orderId: "string", carriers: "string[]" }),
});
export const shopPlugin = () => definePlugin({ name: "shop", events: [orderPlaced, orderShipped] as const });
export const SECRET = generateSecret();

import type { DeliveryStore, NewEvent } from "../contracts/store.js";
import { createHookline } from "../hookline.js";
import { memoryStore } from "../memory/memory-store.js";
import { memoryTransport } from "../memory/memory-transport.js";
import type { HooklineOptions } from "../options.js";
import { memoryReceiver } from "../testing/receiver.js";
import type { Clock } from "../util/clock.js";

/** A memory store that records every insert batch and can be slowed or broken. */
export function spyStore(clock?: Clock) {
  const inner = memoryStore(clock ? { clock } : {});
  const batches: NewEvent[][] = [];
  const log: string[] = [];
  const ctl = { insertDelayMs: 0, failClaims: 0, failInserts: 0 };
  const store: DeliveryStore = {
    ...Object.fromEntries(
      Object.getOwnPropertyNames(Object.getPrototypeOf(inner))
        .filter((k) => k !== "constructor")
        .map((k) => [k, (inner as unknown as Record<string, (...a: unknown[]) => unknown>)[k]!.bind(inner)]),
    ),
    async insertEvents(batch, opts) {
      log.push("insert:start");
      batches.push([...batch]);
      if (ctl.insertDelayMs) await new Promise((r) => setTimeout(r, ctl.insertDelayMs));
      if (ctl.failInserts > 0) {
        ctl.failInserts--;
        throw new Error("connection lost");
      }
      const r = await inner.insertEvents(batch, opts);
      log.push("insert:done");
      return r;
    },
    async claimDue(o) {
      if (ctl.failClaims > 0) {
        ctl.failClaims--;
        throw new Error("ECONNREFUSED");
      }
      return inner.claimDue(o);
    },
  } as DeliveryStore;
  return { store, batches, log, ctl };
}

/** A shop instance on memory adapters with a memory receiver. */
export function shopHooks(
  extra: Partial<HooklineOptions<ReturnType<typeof shopPlugin>[]>> & { clock?: Clock } = {},
) {
  const receiver = memoryReceiver();
  const spy = spyStore(extra.clock);
  const hooks = createHookline({
    plugins: [shopPlugin()],
    endpoints: [
      { id: "a", url: `${receiver.baseUrl}/a`, events: "*", secret: SECRET },
      { id: "b", url: `${receiver.baseUrl}/b`, events: ["order_shipped"], secret: SECRET },
    ],
    store: spy.store,
    transport: memoryTransport({ receiver }),
    ...extra,
  });
  return { hooks, receiver, ...spy };
}

/** The message of the HooklineError with `code` that `fn` throws; anything else fails the test. */
export function errorMessageOf(fn: () => unknown, code: ErrorCode = "HOOKLINE_INVALID_CONFIG"): string {
  try {
    fn();
  } catch (e) {
    if (isHooklineError(e, code)) return e.message;
    throw e;
  }
  throw new Error(`expected ${code}`);
}
