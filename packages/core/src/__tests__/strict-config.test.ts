import { describe, expect, it } from "vitest";
import type { EndpointConfig } from "../endpoints/endpoint-config.js";
import { resolveEndpoints } from "../endpoints/resolve-endpoints.js";
import { createHookline } from "../hookline.js";
import { memoryStore } from "../memory/memory-store.js";
import { memoryTransport } from "../memory/memory-transport.js";
import { RetryPolicy } from "../retry/retry-policy.js";
import { memoryReceiver } from "../testing/receiver.js";
import { assertKnownKeys, nearestKey } from "../util/strict-keys.js";
import { errorMessageOf, SECRET, shopHooks, shopPlugin } from "./helpers.js";

describe("assertKnownKeys", () => {
  const known = ["secret", "signing", "headers", "maxBodyBytes"];

  it.each([
    ["Secret", "secret"],
    ["SECRET", "secret"],
    ["secrte", "secret"],
    ["secert", "secret"],
    ["signin", "signing"],
    ["maxBodyByte", "maxBodyBytes"],
    ["header", "headers"],
  ])("suggests the nearest known key for %j", (typo, meant) => {
    expect(nearestKey(typo, known)).toBe(meant);
    const message = errorMessageOf(
      () => assertKnownKeys({ [typo]: 1 }, known, "things"),
      "HOOKLINE_INVALID_OPTION",
    );
    expect(message).toContain(`things: unknown key "${typo}" (did you mean "${meant}"?)`);
  });

  it("offers no suggestion when nothing is close, and lists the known keys", () => {
    expect(nearestKey("colour", known)).toBeUndefined();
    const message = errorMessageOf(
      () => assertKnownKeys({ colour: 1 }, known, "things"),
      "HOOKLINE_INVALID_OPTION",
    );
    expect(message).not.toContain("did you mean");
    expect(message).toContain("expected only secret, signing, headers, maxBodyBytes");
  });

  it("rejects a key set to undefined, a non-object, null and an array; uses the given code", () => {
    expect(() => assertKnownKeys({ secrte: undefined }, known, "x")).toThrow(/unknown key "secrte"/);
    for (const bad of [null, "str", 5, [1, 2]]) {
      expect(
        errorMessageOf(
          () => assertKnownKeys(bad, known, "x", "HOOKLINE_INVALID_CONFIG"),
          "HOOKLINE_INVALID_CONFIG",
        ),
      ).toMatch(/x: expected an object, got/);
    }
    expect(() => assertKnownKeys({ secret: 1, headers: undefined }, known, "x")).not.toThrow();
  });
});

describe("endpoints are strict objects", () => {
  const base = { id: "billing", url: "https://billing.example/hooks", events: "*" } as const;
  const resolve = (...eps: unknown[]) =>
    resolveEndpoints(eps as EndpointConfig[], { knownCodes: ["order_placed"], env: {} });
  const configError = (...eps: unknown[]) => errorMessageOf(() => resolve(...eps), "HOOKLINE_INVALID_CONFIG");

  it.each(["secrte", "Secret"])("a secret written as %j is an error, not an unsigned endpoint", (key) => {
    expect(configError({ ...base, [key]: SECRET })).toContain(
      `endpoint "billing": unknown key "${key}" (did you mean "secret"?)`,
    );
  });

  it("names an endpoint without a valid id by its index", () => {
    expect(configError({ ...base, secret: SECRET }, { Id: "x", url: base.url, events: "*" })).toContain(
      'endpoints[1]: unknown key "Id" (did you mean "id"?)',
    );
    expect(configError([base])).toMatch(/endpoints\[0\]: expected an object, got an array of 1/);
  });

  it("checks the nested tls object", () => {
    expect(configError({ ...base, secret: SECRET, tls: { servrname: "x.example" } })).toContain(
      'endpoint "billing" tls: unknown key "servrname" (did you mean "servername"?)',
    );
    expect(configError({ ...base, secret: SECRET, tls: ["pem"] })).toMatch(/tls: expected an object/);
  });

  it("requires a secret unless signing is false; an empty rotation list is an error", () => {
    expect(configError(base)).toMatch(/endpoint "billing" secret: expected a whsec_ secret.*signing: false/);
    expect(configError({ ...base, secret: [] })).toMatch(
      /endpoint "billing" secret: expected a whsec_ secret/,
    );
    expect(configError({ ...base, signing: false, secret: SECRET })).toMatch(
      /endpoint "billing" secret: expected no secret when signing is false/,
    );
    expect(configError({ ...base, signing: "no" })).toMatch(/endpoint "billing" signing: expected a boolean/);
    const [unsigned] = resolve({ ...base, signing: false });
    expect(unsigned).toMatchObject({ signed: false, keys: [] });
    const [signed] = resolve({ ...base, secret: SECRET });
    expect(signed?.signed).toBe(true);
    expect(signed?.keys).toHaveLength(1);
  });

  it("a description must be a string", () => {
    expect(configError({ ...base, secret: SECRET, description: 5 })).toMatch(
      /description: expected a string/,
    );
  });
});

describe("header values undici would refuse fail at construction", () => {
  const secretValue = "tok3n-value";
  const withHeader = (value: string) =>
    resolveEndpoints(
      [
        {
          id: "crm",
          url: "https://crm.example/h",
          events: "*",
          secret: SECRET,
          headers: { "x-api-key": value },
        },
      ],
      { knownCodes: [], env: {} },
    );

  it.each([
    ["ESC", "\x1b", "U+001B"],
    ["DEL", "\x7f", "U+007F"],
    ["a C1 control (NEL)", "\x85", "U+0085"],
    ["LINE SEPARATOR", "\u2028", "U+2028"],
    ["a character outside Latin-1", "€", "U+20AC"],
    ["an emoji", "🔑", "U+1F511"],
    ["CR", "\r", "U+000D"],
    ["NUL", "\0", "U+0000"],
  ])("%s", (_name, char, codePoint) => {
    const message = errorMessageOf(() => withHeader(`${secretValue}${char}x`), "HOOKLINE_INVALID_CONFIG");
    expect(message).toContain(`endpoint "crm" headers["x-api-key"]: expected`);
    expect(message).toContain(`got a value containing ${codePoint}`);
    expect(message).not.toContain(secretValue);
  });

  it("accepts tab, visible ASCII and Latin-1 letters", () => {
    const value = "Bearer\tcafé ÿ ~!";
    expect(withHeader(value)[0]?.headers["x-api-key"]).toBe(value);
  });
});

describe("createHookline, retry and emit options are strict", () => {
  const make = (extra: Record<string, unknown>) =>
    createHookline({
      plugins: [shopPlugin()],
      endpoints: [{ id: "a", url: "http://127.0.0.1:9/a", events: "*", secret: SECRET }],
      store: memoryStore(),
      transport: memoryTransport({ receiver: memoryReceiver() }),
      ...extra,
    });
  const optionError = (extra: Record<string, unknown>) =>
    errorMessageOf(() => make(extra), "HOOKLINE_INVALID_OPTION");

  it.each<[Record<string, unknown>, string]>([
    [{ maxBodyByte: 10 }, 'createHookline options: unknown key "maxBodyByte" (did you mean "maxBodyBytes"?)'],
    [{ Mode: "parallel" }, 'createHookline options: unknown key "Mode" (did you mean "mode"?)'],
    [{ worker: { maxInflight: 5 } }, 'worker: unknown key "maxInflight" (did you mean "maxInFlight"?)'],
    [{ worker: [] }, "worker: expected an object, got an array of 0"],
    [{ retry: { schedul: [1] } }, 'retry: unknown key "schedul" (did you mean "schedule"?)'],
    [{ retry: null }, "retry: expected an object, got null"],
    [{ migrate: "yes" }, 'migrate: expected a boolean, got "yes"'],
  ])("%j", (extra, message) => {
    expect(optionError(extra)).toContain(message);
  });

  it("RetryPolicy checks its own keys", () => {
    expect(() => new RetryPolicy({ jiter: 0.1 } as never)).toThrow(
      /retry: unknown key "jiter" \(did you mean "jitter"\?\)/,
    );
  });

  it("an unknown emit option is an error and nothing is stored or sent", async () => {
    const { hooks, receiver, batches } = shopHooks();
    const err = await hooks
      .emit("order_placed", { orderId: "o", total: 1 }, { idempotencykey: "k" } as never)
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(err).toMatchObject({ code: "HOOKLINE_INVALID_OPTION" });
    expect((err as Error).message).toContain(
      'emit options: unknown key "idempotencykey" (did you mean "idempotencyKey"?)',
    );
    expect(batches).toEqual([]);
    expect(receiver.requests).toEqual([]);
    expect((await hooks.store.listEvents({}, { limit: 5 })).items).toEqual([]);
  });
});
