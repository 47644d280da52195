import { createHookline, memoryStore, memoryTransport } from "@hookline/core";
import { memoryReceiver, TEST_SECRET } from "@hookline/core/testing";
import { describe, expect, it } from "vitest";
import {
  addCredits,
  buyerEvents,
  creditsAdded,
  creditsChanged,
  postCodeChange,
  postCodesChanged,
  userCreditsZero,
} from "./index.js";

function setup() {
  const receiver = memoryReceiver();
  const store = memoryStore();
  const hooks = createHookline({
    plugins: [buyerEvents()],
    endpoints: [{ id: "crm", url: `${receiver.baseUrl}/crm`, events: "*", secret: TEST_SECRET }],
    store,
    transport: memoryTransport({ receiver }),
  });
  const bodies = () => receiver.requests.map((r) => r.body);
  return { hooks, receiver, store, bodies };
}
const buyer = { buyerId: "0000", businessName: "test", postCodeList: ["AB", "BN", "GN"] };

describe("buyer events: exact bodies (a contract with existing receivers)", () => {
  it("sends the three bodies byte for byte as existing receivers expect", async () => {
    const { hooks, bodies } = setup();
    await hooks.emit("user_credits_zero", { ...buyer, remainingCredits: 0 }, { wait: "attempted" });
    await hooks.emit("post_code_change", buyer, { wait: "attempted" });
    await hooks.emit(
      "add_credits",
      { buyerId: "0000", buyerName: "test", postCodeList: ["AB", "BN", "GN"], topUpAmount: 100 },
      { wait: "attempted" },
    );
    expect(bodies()).toEqual([
      '{"buyerId":"0000","businessName":"test","postCodeList":["AB","BN","GN"],"remainingCredits":0,"eventCode":"user_credits_zero"}',
      '{"buyerId":"0000","businessName":"test","postCodeList":["AB","BN","GN"],"eventCode":"post_code_change"}',
      '{"buyerId":"0000","buyerName":"test","postCodeList":["AB","BN","GN"],"topUpAmount":100,"eventCode":"add_credits"}',
    ]);
  });

  it("records buyerId as the subject so the log filters per buyer", async () => {
    const { hooks, store } = setup();
    await hooks.emit("post_code_change", { ...buyer, buyerId: "b-42" });
    await hooks.emit("post_code_change", buyer);
    const page = await store.listDeliveries({ subject: "b-42" }, { limit: 10 });
    expect(page.items).toHaveLength(1);
  });

  it.each([
    ["add_credits with businessName", "add_credits", { ...buyer, topUpAmount: 5 }, /buyerName/],
    [
      "a zero top-up",
      "add_credits",
      { buyerId: "1", buyerName: "n", postCodeList: [], topUpAmount: 0 },
      /topUpAmount/,
    ],
    ["a numeric buyerId", "post_code_change", { ...buyer, buyerId: 0 }, /buyerId/],
    ["post codes as a string", "post_code_change", { ...buyer, postCodeList: "AB" }, /postCodeList/],
    ["string credits", "user_credits_zero", { ...buyer, remainingCredits: "0" }, /remainingCredits/],
    ["an extra field", "post_code_change", { ...buyer, email: "x@y" }, /email/],
    ["infinite credits", "user_credits_zero", { ...buyer, remainingCredits: Infinity }, /remainingCredits/],
    ["NaN credits", "user_credits_zero", { ...buyer, remainingCredits: Number.NaN }, /remainingCredits/],
    ["an empty post code", "post_code_change", { ...buyer, postCodeList: ["AB", ""] }, /postCodeList/],
    ["an empty buyerId", "post_code_change", { ...buyer, buyerId: "" }, /buyerId/],
    [
      "an empty buyerName",
      "add_credits",
      { buyerId: "1", buyerName: "", postCodeList: [], topUpAmount: 5 },
      /buyerName/,
    ],
    [
      "a negative top-up",
      "add_credits",
      { buyerId: "1", buyerName: "n", postCodeList: [], topUpAmount: -1 },
      /topUpAmount/,
    ],
  ])("rejects %s with HOOKLINE_INVALID_PAYLOAD", async (_n, code, payload, field) => {
    const { hooks, receiver } = setup();
    const err = await (hooks.emit as (c: string, p: unknown) => Promise<unknown>)(code, payload).catch(
      (e: Error) => e,
    );
    expect(err).toMatchObject({ code: "HOOKLINE_INVALID_PAYLOAD" });
    expect((err as Error).message).toMatch(field);
    expect(receiver.requests).toEqual([]);
  });
});

describe("supersede", () => {
  it("post_code_change carries a buyer's whole list, so a newer one supersedes; the credit events never do", () => {
    expect(postCodeChange.supersede).toBe(true);
    expect(addCredits.supersede).toBeUndefined();
    expect(userCreditsZero.supersede).toBeUndefined();
  });

  it("a buyer's newer post codes cancel the older change still pending; credit events stay", async () => {
    const receiver = memoryReceiver();
    const hooks = createHookline({
      plugins: [buyerEvents()],
      // Rate-limited: emit() leaves every delivery to the worker (not started), so they wait.
      endpoints: [
        {
          id: "crm",
          url: `${receiver.baseUrl}/crm`,
          events: "*",
          secret: TEST_SECRET,
          rateLimit: { perSecond: 1 },
        },
      ],
      store: memoryStore(),
      transport: memoryTransport({ receiver }),
    });
    const first = await hooks.emit("post_code_change", buyer);
    const top = await hooks.emit("add_credits", {
      buyerId: "0000",
      buyerName: "test",
      postCodeList: ["AB"],
      topUpAmount: 5,
    });
    const newer = await hooks.emit("post_code_change", { ...buyer, postCodeList: ["AB"] });
    const other = await hooks.emit("post_code_change", { ...buyer, buyerId: "0001" });
    const status = async (r: { deliveries: readonly { id: string }[] }) => {
      const d = await hooks.store.getDelivery(r.deliveries[0]!.id);
      return [d?.status, d?.lastErrorCode];
    };
    expect(await status(first)).toEqual(["cancelled", "HOOKLINE_SUPERSEDED"]);
    expect(await status(top)).toEqual(["pending", null]);
    expect(await status(newer)).toEqual(["pending", null]);
    expect(await status(other)).toEqual(["pending", null]);
  });
});

describe("trigger helpers", () => {
  it("creditsChanged fires only when crossing from enough-for-a-lead to exhausted", async () => {
    const { hooks, bodies } = setup();
    const step = (previousCredits: number, remainingCredits: number) =>
      creditsChanged(
        hooks,
        { buyer, previousCredits, remainingCredits, leadCost: 10 },
        { wait: "attempted" },
      );
    expect(await step(50, 30)).toBeNull(); // still enough
    expect(await step(30, 10)).toBeNull(); // exactly one lead left
    expect(await step(10, 4)).not.toBeNull(); // crossed: fewer than one lead costs
    expect(await step(4, 0)).toBeNull(); // already exhausted: no repeat
    expect(await step(0, -2)).toBeNull();
    expect(await step(100, 0)).not.toBeNull(); // top-up then spent in one go
    expect(bodies().map((b) => JSON.parse(b).remainingCredits)).toEqual([4, 0]);
    await expect(
      creditsChanged(hooks, { buyer, previousCredits: 1, remainingCredits: 0, leadCost: 0 }),
    ).rejects.toThrow(/leadCost/);
    await expect(
      creditsChanged(hooks, { buyer, previousCredits: Number.NaN, remainingCredits: 0, leadCost: 1 }),
    ).rejects.toThrow(/previousCredits/);
  });

  it("postCodesChanged fires only when the set changed", async () => {
    const { hooks, bodies } = setup();
    const change = (previousPostCodes: string[], postCodeList: string[]) =>
      postCodesChanged(hooks, { buyer, previousPostCodes, postCodeList }, { wait: "attempted" });
    expect(await change(["AB", "BN"], ["BN", "AB"])).toBeNull();
    expect(await change(["AB", "BN"], ["AB", "BN", "AB"])).toBeNull();
    expect(await change(["AB"], ["AB", "GN"])).not.toBeNull();
    expect(await change(["AB", "GN"], [])).not.toBeNull();
    expect(bodies().map((b) => JSON.parse(b).postCodeList)).toEqual([["AB", "GN"], []]);
  });

  it("creditsAdded sends add_credits with buyerName", async () => {
    const { hooks, bodies } = setup();
    await creditsAdded(hooks, { buyer, topUpAmount: 100 }, { wait: "attempted" });
    expect(JSON.parse(bodies()[0]!)).toEqual({
      buyerId: "0000",
      buyerName: "test",
      postCodeList: ["AB", "BN", "GN"],
      topUpAmount: 100,
      eventCode: "add_credits",
    });
  });
});
