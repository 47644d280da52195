import { describe, expect, it } from "vitest";
import { defineEvent } from "../events/define-event.js";
import { EventRegistry } from "../events/registry.js";
import { orderPlaced, schema, shopPlugin } from "./helpers.js";

describe("defineEvent and EventRegistry", () => {
  it.each(["", "Add_Credits", "1abc", "with space", "x".repeat(65), "kebab-case"])(
    "rejects code %j",
    (code) => {
      expect(() => defineEvent({ code, description: "d", schema: schema({}) })).toThrow(
        expect.objectContaining({ code: "HOOKLINE_INVALID_EVENT_DEFINITION" }),
      );
    },
  );
  it("rejects a missing description and a non-standard schema", () => {
    expect(() => defineEvent({ code: "a", description: " ", schema: schema({}) })).toThrow(/description/);
    expect(() => defineEvent({ code: "a", description: "d", schema: {} as never })).toThrow(
      /Standard Schema/,
    );
  });
  it("rejects duplicate codes across plugins and malformed plugins", () => {
    const again = { name: "other", events: [orderPlaced] };
    expect(() => new EventRegistry([shopPlugin(), again])).toThrow(
      expect.objectContaining({
        code: "HOOKLINE_DUPLICATE_EVENT",
        message: expect.stringContaining('"shop" and again by "other"'),
      }),
    );
    expect(() => new EventRegistry([shopPlugin(), shopPlugin()])).toThrow(
      expect.objectContaining({ code: "HOOKLINE_INVALID_PLUGIN" }),
    );
    expect(() => new EventRegistry([{ name: "x" } as never])).toThrow(
      expect.objectContaining({ code: "HOOKLINE_INVALID_PLUGIN" }),
    );
  });
  it("lists codes in registration order", () => {
    const r = new EventRegistry([shopPlugin()]);
    expect(r.codes()).toEqual(["order_placed", "order_shipped"]);
    expect(r.get("order_placed")?.description).toBe("An order was placed.");
    expect(r.has("nope")).toBe(false);
  });
});
