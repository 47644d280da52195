import { describe, expect, it } from "vitest";
import type { ErrorCode } from "../errors/codes.js";
import { defineEvent } from "../events/define-event.js";
import { definePlugin } from "../events/plugin.js";
import { createHookline } from "../hookline.js";
import { memoryStore } from "../memory/memory-store.js";
import { memoryTransport } from "../memory/memory-transport.js";
import { memoryReceiver } from "../testing/receiver.js";
import { orderPlaced, schema, shopHooks } from "./helpers.js";

describe("emit() rejects bad input with a coded error and stores and sends nothing", () => {
  const circular: Record<string, unknown> = { orderId: "o", total: 1 };
  circular.self = circular;
  const cases: [string, string, unknown, ErrorCode, RegExp][] = [
    [
      "unknown code",
      "order_lost",
      { orderId: "o", total: 1 },
      "HOOKLINE_UNKNOWN_EVENT",
      /expected one of order_placed, order_shipped, got "order_lost"/,
    ],
    [
      "schema failure",
      "order_placed",
      { orderId: 5, total: "x" },
      "HOOKLINE_INVALID_PAYLOAD",
      /orderId: expected string; total: expected number/,
    ],
    ["null payload", "order_placed", null, "HOOKLINE_INVALID_PAYLOAD", /plain object payload, got null/],
    ["array payload", "order_placed", [1, 2], "HOOKLINE_INVALID_PAYLOAD", /got an array of 2/],
    ["string payload", "order_placed", "hi", "HOOKLINE_INVALID_PAYLOAD", /got "hi"/],
    ["class instance", "order_placed", new Date(), "HOOKLINE_INVALID_PAYLOAD", /plain object/],
    [
      "BigInt value",
      "order_placed",
      { orderId: "o", total: 1, big: 10n },
      "HOOKLINE_UNSERIALIZABLE_PAYLOAD",
      /BigInt/,
    ],
    ["circular value", "order_placed", circular, "HOOKLINE_UNSERIALIZABLE_PAYLOAD", /circular/i],
    [
      "throwing toJSON",
      "order_placed",
      {
        orderId: "o",
        total: 1,
        x: {
          toJSON: () => {
            throw new Error("nope");
          },
        },
      },
      "HOOKLINE_UNSERIALIZABLE_PAYLOAD",
      /nope/,
    ],
    [
      "too large",
      "order_placed",
      { orderId: "é".repeat(140_000), total: 1 },
      "HOOKLINE_PAYLOAD_TOO_LARGE",
      /at most 262144 bytes, got 280/,
    ],
    [
      "a foreign eventCode",
      "order_placed",
      { orderId: "o", total: 1, eventCode: "x" },
      "HOOKLINE_INVALID_PAYLOAD",
      /eventCode/,
    ],
  ];
  it.each(cases)("%s", async (_name, code, payload, errorCode, message) => {
    const { hooks, receiver, batches } = shopHooks();
    const emit = hooks.emit as (c: string, p: unknown) => Promise<unknown>;
    const err = await emit(code, payload).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ name: "HooklineError", code: errorCode });
    expect((err as Error).message).toMatch(message);
    expect(batches).toEqual([]);
    expect(receiver.requests).toEqual([]);
    expect((await hooks.store.listEvents({}, { limit: 5 })).items).toEqual([]);
  });

  it("lists every schema issue with its path in error.details", async () => {
    const { hooks } = shopHooks();
    const err = await (hooks.emit as (c: string, p: unknown) => Promise<unknown>)("order_shipped", {
      carriers: [1],
    }).catch((e: { details: { issues: unknown } }) => e);
    expect((err as { details: { issues: unknown } }).details.issues).toEqual([
      { path: "orderId", message: "expected string" },
      { path: "carriers", message: "expected string[]" },
    ]);
  });

  it("rejects bad emit options by name", async () => {
    const { hooks } = shopHooks();
    await expect(
      hooks.emit("order_placed", { orderId: "o", total: 1 }, { idempotencyKey: "" }),
    ).rejects.toThrow(/idempotencyKey/);
    await expect(
      hooks.emit("order_placed", { orderId: "o", total: 1 }, { wait: "soon" as never }),
    ).rejects.toThrow(/wait/);
  });

  it("returns the original event for a repeated idempotency key and sends nothing new", async () => {
    const { hooks, receiver } = shopHooks();
    const first = await hooks.emit(
      "order_placed",
      { orderId: "o", total: 1 },
      { idempotencyKey: "order-o", wait: "attempted" },
    );
    const again = await hooks.emit(
      "order_placed",
      { orderId: "o", total: 999 },
      { idempotencyKey: "order-o", wait: "attempted" },
    );
    expect(first.duplicate).toBe(false);
    expect(again).toMatchObject({ eventId: first.eventId, duplicate: true, deliveries: first.deliveries });
    expect(again.attempts).toBeUndefined();
    expect(receiver.requests).toHaveLength(1);
    expect((await hooks.store.listEvents({}, { limit: 5 })).items).toHaveLength(1);
  });

  it("rejects a subject the stores cannot index, without failing the emits batched with it", async () => {
    const long = defineEvent({
      code: "long_subject",
      description: "d",
      schema: schema({ s: "string" }),
      subject: (p) => p.s,
    });
    const receiver = memoryReceiver();
    const hooks = createHookline({
      plugins: [definePlugin({ name: "x", events: [long, orderPlaced] as const })],
      endpoints: [],
      store: memoryStore(),
      transport: memoryTransport({ receiver }),
    });
    const [bad, good] = await Promise.allSettled([
      hooks.emit("long_subject", { s: "x".repeat(256) }),
      hooks.emit("order_placed", { orderId: "o-1", total: 10 }),
    ]);
    expect(bad).toMatchObject({ status: "rejected", reason: { code: "HOOKLINE_INVALID_PAYLOAD" } });
    expect(good.status).toBe("fulfilled");
  });
});
