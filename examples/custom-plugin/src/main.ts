import { createHookline, generateSecret, memoryStore, memoryTransport } from "@hookline/core";
import { memoryReceiver } from "@hookline/core/testing";
import { buyerEvents } from "@hookline/events-buyer";
import { billingEvents } from "./invoice-plugin.js";

// Two plugins, one dispatcher: buyer events are one plugin among others.
const receiver = memoryReceiver();
const hooks = createHookline({
  plugins: [buyerEvents(), billingEvents()],
  endpoints: [
    {
      id: "ledger",
      url: `${receiver.baseUrl}/ledger`,
      events: ["invoice_issued", "invoice_paid", "add_credits"],
      // A real deployment reads a whsec_ secret from its constants file; this demo makes one up.
      secret: generateSecret(),
    },
  ],
  store: memoryStore(),
  transport: memoryTransport({ receiver }),
});
await hooks.emit(
  "invoice_issued",
  { invoiceId: "inv-1", customerId: "c-9", total: { currency: "GBP", amountMinor: 4200 } },
  { wait: "attempted" },
);
await hooks.emit(
  "invoice_paid",
  { invoiceId: "inv-1", customerId: "c-9", paidAt: "2026-11-28T10:00:00Z" },
  { wait: "attempted" },
);
await hooks.emit(
  "add_credits",
  { buyerId: "0000", buyerName: "test", postCodeList: ["AB"], topUpAmount: 100 },
  { wait: "attempted" },
);
for (const r of receiver.requests) console.log(r.path, r.body);
await hooks.stop();
