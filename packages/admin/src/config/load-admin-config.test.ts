import { join } from "node:path";
import { makeEvent, TEST_SECRET } from "@hookline/core/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { configDir, envRef, jsonConfig } from "../__fixtures__/config-dir.js";
import { tempSqliteStore } from "../__fixtures__/sqlite-store.js";
import { loadAdminConfig } from "./load-admin-config.js";

const endpoints = [
  { id: "crm", url: envRef("CRM_URL"), events: ["add_credits", "invoice_paid"], secret: TEST_SECRET },
  { id: "all", url: "https://all.example/hook", events: "*", signing: false },
];

let db: Awaited<ReturnType<typeof tempSqliteStore>>;
let dirs: { cleanup(): void }[] = [];
const dirWith = (files: Record<string, string>) => {
  const d = configDir(files);
  dirs.push(d);
  return d.dir;
};

beforeEach(async () => {
  db = await tempSqliteStore();
  // A row the config's store must see, proving it opened the same database.
  await db.store.insertEvents([makeEvent({ code: "add_credits", endpoints: ["crm"] })]);
});
afterEach(async () => {
  for (const d of dirs) d.cleanup();
  dirs = [];
  await db.cleanup();
});

async function countThrough(
  store: Awaited<ReturnType<Awaited<ReturnType<typeof loadAdminConfig>>["openStore"]>>,
) {
  try {
    return (await store.listDeliveries({}, { limit: 10 })).items.length;
  } finally {
    await store.close();
  }
}

describe("loadAdminConfig", () => {
  it("JSON: imports the store module from the config's directory, with env placeholders in its options", async () => {
    const dir = dirWith({ "hookline.config.json": jsonConfig(endpoints) });
    const cfg = await loadAdminConfig({
      cwd: dir,
      env: { HL_DB: db.file, CRM_URL: "https://crm.example/h" },
    });
    expect(cfg.path).toBe(join(dir, "hookline.config.json"));
    expect(await countThrough(await cfg.openStore())).toBe(1);
    // Codes listed anywhere in the config are known: the admin has no plugins to ask.
    expect(cfg.endpoints().map((e) => [e.id, e.url, e.events])).toEqual([
      ["crm", "https://crm.example/h", ["add_credits", "invoice_paid"]],
      ["all", "https://all.example/hook", "*"],
    ]);
  });

  it("TypeScript without a build step: a store instance from knexStore()", async () => {
    const dir = dirWith({
      "hookline.config.ts": `import { knexStore } from "@hookline/store-knex";
        const file: string = ${JSON.stringify(db.file)};
        export default { endpoints: [], store: knexStore({ knex: { client: "better-sqlite3", connection: { filename: file }, useNullAsDefault: true } }) };`,
    });
    const cfg = await loadAdminConfig({ cwd: dir, env: {} });
    expect(await countThrough(await cfg.openStore())).toBe(1);
  });

  it("JS via --config: an async function returning the store", async () => {
    const dir = dirWith({
      "admin.config.mjs": `import { knexStore } from "@hookline/store-knex";
        export default { endpoints: [], store: async () => knexStore({ knex: { client: "better-sqlite3", connection: { filename: ${JSON.stringify(db.file)} }, useNullAsDefault: true } }) };`,
    });
    const cfg = await loadAdminConfig({ cwd: dir, file: "admin.config.mjs", env: {} });
    expect(await countThrough(await cfg.openStore())).toBe(1);
  });

  it("validates endpoints lazily, so a missing secret variable does not block reading the log", async () => {
    const dir = dirWith({ "hookline.config.json": jsonConfig(endpoints) });
    const cfg = await loadAdminConfig({ cwd: dir, env: { HL_DB: db.file } });
    expect(await countThrough(await cfg.openStore())).toBe(1);
    expect(() => cfg.endpoints()).toThrow(
      /HOOKLINE_INVALID_CONFIG: endpoint "crm" url: expected environment variable CRM_URL to be set/,
    );
  });

  it("endpoint errors come from core's resolveEndpoints", async () => {
    const dir = dirWith({
      "hookline.config.json": jsonConfig([{ id: "x", url: "nope", events: ["add_credits"] }]),
    });
    const cfg = await loadAdminConfig({ cwd: dir, env: { HL_DB: db.file } });
    expect(() => cfg.endpoints()).toThrow(/endpoint "x" url: expected an absolute URL/);
  });

  it.each([
    [
      { endpoints: [] },
      /store: expected a DeliveryStore, a function returning one, or \{ module, export\?, options\? \}, got undefined/,
    ],
    [{ endpoints: [], store: "sqlite" }, /store: expected a DeliveryStore, .* got "sqlite"/],
    [
      { endpoints: [], store: { module: "@hookline/store-knex", exportName: "x" } },
      /store.exportName: expected only module, export and options/,
    ],
    [
      { endpoints: [], store: { module: "@hookline/store-knex", export: "nope" } },
      /store.export: expected an export of @hookline\/store-knex \(.*knexStore.*\), got "nope"/,
    ],
    [
      { endpoints: [], store: { module: "@hookline/store-knex", export: "MIGRATIONS" } },
      /store \(@hookline\/store-knex#MIGRATIONS\): expected a DeliveryStore \(with migrate, listDeliveries/,
    ],
    [
      { endpoints: [], store: { module: "no-such-store-package" } },
      /HOOKLINE_CONFIG_LOAD_FAILED: .*store.module: could not import "no-such-store-package"/,
    ],
  ])("refuses store entry %j", async (config, message) => {
    const dir = dirWith({ "hookline.config.json": JSON.stringify(config) });
    const cfg = await loadAdminConfig({ cwd: dir, env: {} });
    await expect(cfg.openStore()).rejects.toThrow(message);
  });

  it.each([
    [
      { endpoints: [], stor: {} },
      /unknown key "stor" \(did you mean "store"\?\); expected only endpoints, store/,
    ],
    [{ endpoints: [], Store: {} }, /unknown key "Store" \(did you mean "store"\?\)/],
    [{ endpoints: [], admin: { port: 1 } }, /unknown key "admin"; expected only endpoints, store/],
  ])("refuses a top-level key the admin does not read: %j", async (config, message) => {
    const dir = dirWith({ "hookline.config.json": JSON.stringify(config) });
    const err = await loadAdminConfig({ cwd: dir, env: {} }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "HOOKLINE_INVALID_CONFIG" });
    expect((err as Error).message).toContain(join(dir, "hookline.config.json"));
    expect((err as Error).message).toMatch(message);
  });

  it("an endpoint written with a misspelt key is an error when endpoints are read", async () => {
    const dir = dirWith({
      "hookline.config.json": jsonConfig([
        { id: "x", url: "https://x.example/h", events: "*", secrte: TEST_SECRET },
      ]),
    });
    const cfg = await loadAdminConfig({ cwd: dir, env: { HL_DB: db.file } });
    expect(() => cfg.endpoints()).toThrow(/endpoint "x": unknown key "secrte" \(did you mean "secret"\?\)/);
  });

  it("a function that returns something else is named in the error", async () => {
    const dir = dirWith({
      "hookline.config.mjs": "export default { endpoints: [], store: () => ({ close() {} }) };",
    });
    const cfg = await loadAdminConfig({ cwd: dir, env: {} });
    await expect(cfg.openStore()).rejects.toThrow(
      /store\(\): expected a DeliveryStore \(with migrate,.*\), got an object/,
    );
  });

  it("no config file: HOOKLINE_CONFIG_NOT_FOUND naming the directory", async () => {
    const dir = dirWith({});
    await expect(loadAdminConfig({ cwd: dir })).rejects.toThrow(
      /HOOKLINE_CONFIG_NOT_FOUND: expected one of hookline.config.ts/,
    );
  });
});
