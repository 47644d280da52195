import type { StandardSchemaV1 } from "@standard-schema/spec";
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
