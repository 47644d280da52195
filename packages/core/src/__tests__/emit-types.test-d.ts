import { describe, expectTypeOf, it } from "vitest";
import { createHookline } from "../hookline.js";
import { memoryStore } from "../memory/memory-store.js";
import { memoryTransport } from "../memory/memory-transport.js";
import { memoryReceiver } from "../testing/receiver.js";
import { shopPlugin } from "./helpers.js";

describe("emit() is typed from the plugins", () => {
  const hooks = createHookline({
    plugins: [shopPlugin()],
    endpoints: [],
    store: memoryStore(),
    transport: memoryTransport({ receiver: memoryReceiver() }),
  });
  it("accepts known codes with their payloads", () => {
    expectTypeOf(hooks.emit).toBeCallableWith("order_placed", { orderId: "o", total: 1 });
    expectTypeOf(hooks.emit).toBeCallableWith("order_shipped", { orderId: "o", carriers: ["ups"] });
    expectTypeOf(hooks.emit<"order_placed">)
      .parameter(1)
      .toEqualTypeOf<{ orderId: string; total: number }>();
  });
  it("rejects unknown codes and wrong payloads at compile time", () => {
    // @ts-expect-error unknown event code
    void hooks.emit("order_lost", { orderId: "o", total: 1 });
    // @ts-expect-error total must be a number
    void hooks.emit("order_placed", { orderId: "o", total: "1" });
    // @ts-expect-error carriers missing
    void hooks.emit("order_shipped", { orderId: "o" });
  });
});
