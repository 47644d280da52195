import { describe, expect, it } from "vitest";
import { createHookline } from "../hookline.js";
import { memoryStore } from "../memory/memory-store.js";
import { memoryTransport } from "../memory/memory-transport.js";
import { verify } from "../signing/verify.js";
import { memoryReceiver } from "../testing/receiver.js";
import { SECRET, shopPlugin } from "./helpers.js";

describe("smoke", () => {
  it("emits, signs, delivers and records", async () => {
    const receiver = memoryReceiver();
    const store = memoryStore();
    const hooks = createHookline({
      plugins: [shopPlugin()],
      endpoints: [{ id: "a", url: `${receiver.baseUrl}/a`, events: "*", secret: SECRET }],
      store,
      transport: memoryTransport({ receiver }),
    });
    await hooks.start();
    const r = await hooks.emit("order_placed", { orderId: "o1", total: 5 }, { wait: "attempted" });
    expect(r.attempts?.[0]?.outcome.kind).toBe("success");
    const [req] = receiver.requests;
    expect(verify({ body: req!.body, headers: req!.headers, secret: SECRET }).payload).toEqual({
      orderId: "o1",
      total: 5,
      eventCode: "order_placed",
    });
    const d = await store.getDelivery(r.deliveries[0]!.id);
    expect(d?.status).toBe("succeeded");
    await hooks.stop();
  });
});
