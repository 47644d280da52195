import { defineEvent, definePlugin } from "@hookline/core";
import { z } from "zod";

// A plugin from another domain, written outside core: this file is all it takes.
const money = z.strictObject({ currency: z.string().length(3), amountMinor: z.number().int() });

export const invoiceIssued = defineEvent({
  code: "invoice_issued",
  description: "An invoice was issued to a customer.",
  schema: z.strictObject({ invoiceId: z.string().min(1), customerId: z.string().min(1), total: money }),
  subject: (p) => p.customerId,
});

export const invoicePaid = defineEvent({
  code: "invoice_paid",
  description: "An invoice was paid in full.",
  schema: z.strictObject({
    invoiceId: z.string().min(1),
    customerId: z.string().min(1),
    paidAt: z.iso.datetime(),
  }),
  subject: (p) => p.customerId,
});

/** The billing plugin: `invoice_issued`, `invoice_paid`. */
export function billingEvents() {
  return definePlugin({ name: "billing", events: [invoiceIssued, invoicePaid] as const });
}
