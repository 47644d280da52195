import { createHookline, memoryStore, memoryTransport } from "@hookline/core";
import { memoryReceiver, TEST_SECRET } from "@hookline/core/testing";
import { buyerEvents } from "@hookline/events-buyer";
import { describe, expect, it } from "vitest";
import { billingEvents } from "./invoice-plugin.js";

describe("a plugin from another domain", () => {
  it("is emitted through the same dispatcher as the buyer events", async () => {
    const receiver = memoryReceiver();
    const store = memoryStore();
    const hooks = createHookline({
      plugins: [buyerEvents(), billingEvents()],
      endpoints: [{ id: "all", url: `${receiver.baseUrl}/all`, events: "*", secret: TEST_SECRET }],
      store,
      transport: memoryTransport({ receiver }),
    });
    expect(hooks.registry.codes()).toEqual([
      "user_credits_zero",
      "post_code_change",
      "add_credits",
      "invoice_issued",
      "invoice_paid",
    ]);
    await hooks.emit(
      "invoice_paid",
      { invoiceId: "i", customerId: "c-1", paidAt: "2026-11-28T10:00:00Z" },
      { wait: "attempted" },
    );
    await hooks.emit(
      "post_code_change",
      { buyerId: "0000", businessName: "test", postCodeList: ["AB"] },
      { wait: "attempted" },
    );
    expect(receiver.requests.map((r) => JSON.parse(r.body).eventCode)).toEqual([
      "invoice_paid",
      "post_code_change",
    ]);
    expect((await store.listDeliveries({ subject: "c-1" }, { limit: 5 })).items).toHaveLength(1);
    await expect(
      hooks.emit("invoice_paid", { invoiceId: "i", customerId: "c-1", paidAt: "yesterday" }),
    ).rejects.toMatchObject({ code: "HOOKLINE_INVALID_PAYLOAD" });
  });
});
