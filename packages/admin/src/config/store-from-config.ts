import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { type DeliveryStore, describeValue, HooklineError, substituteEnv } from "@hookline/core";
import { isDeliveryStore, missingStoreMethods } from "./is-delivery-store.js";

/**
 * The `store` entry of a JSON config: a module exporting a store factory, resolved the way Node
 * resolves imports from the config file's directory, called with `options`.
 */
export interface StoreModuleSpec {
  /** Package name or path relative to the config file, e.g. "@hookline/store-knex". */
  readonly module: string;
  /** Named export to use. @default "default" */
  readonly export?: string;
  /** Passed to the factory; `${ENV}` placeholders in strings are substituted. */
  readonly options?: unknown;
}

const FORMS = "a DeliveryStore, a function returning one, or { module, export?, options? }";
const SPEC_KEYS = new Set(["module", "export", "options"]);

function invalid(configPath: string, what: string, expected: string, got: unknown): HooklineError {
  return new HooklineError(
    "HOOKLINE_INVALID_CONFIG",
    `${configPath}: ${what}: expected ${expected}, got ${describeValue(got)}`,
  );
}

function checked(value: unknown, configPath: string, what: string): DeliveryStore {
  if (isDeliveryStore(value)) return value;
  const missing = missingStoreMethods(value).join(", ");
  throw invalid(configPath, what, `a DeliveryStore (with ${missing})`, value);
}

/** Replace `${ENV}` in every string of a JSON value, naming the path of each one in errors. */
function substituteDeep(value: unknown, where: string, env: NodeJS.ProcessEnv): unknown {
  if (typeof value === "string") return substituteEnv(value, where, env);
  if (Array.isArray(value)) return value.map((v, i) => substituteDeep(v, `${where}[${i}]`, env));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, substituteDeep(v, `${where}.${k}`, env)]),
    );
  }
  return value;
}

async function importSpec(spec: Record<string, unknown>, configPath: string, env: NodeJS.ProcessEnv) {
  for (const key of Object.keys(spec)) {
    if (!SPEC_KEYS.has(key))
      throw invalid(configPath, `store.${key}`, "only module, export and options", key);
  }
  if (typeof spec.module !== "string" || spec.module === "")
    throw invalid(configPath, "store.module", "a package name or a relative path", spec.module);
  const exportName = spec.export ?? "default";
  if (typeof exportName !== "string") throw invalid(configPath, "store.export", "a string", exportName);
  let mod: Record<string, unknown>;
  try {
    // Resolved from the config file, not from this package: the store is the deployment's dependency.
    const resolved = createRequire(configPath).resolve(spec.module);
    mod = (await import(pathToFileURL(resolved).href)) as Record<string, unknown>;
  } catch (cause) {
    throw new HooklineError(
      "HOOKLINE_CONFIG_LOAD_FAILED",
      `${configPath}: store.module: could not import ${JSON.stringify(spec.module)} from the config's directory: ${(cause as Error).message.split("\n")[0]}`,
      { cause },
    );
  }
  const factory = mod[exportName];
  if (factory === undefined)
    throw invalid(
      configPath,
      "store.export",
      `an export of ${spec.module} (${Object.keys(mod).join(", ")})`,
      exportName,
    );
  const options = substituteDeep(spec.options, "store.options", env);
  const what = `store (${spec.module}#${exportName})`;
  if (typeof factory !== "function") return checked(factory, configPath, what);
  return checked(await (options === undefined ? factory() : factory(options)), configPath, what);
}

/**
 * Turn a config's `store` entry into a DeliveryStore: an instance, a (sync or async) function
 * returning one, or a module spec (the only form a JSON config can express).
 */
export async function storeFromConfig(
  value: unknown,
  configPath: string,
  env: NodeJS.ProcessEnv,
): Promise<DeliveryStore> {
  if (value === undefined || value === null) throw invalid(configPath, "store", FORMS, value);
  if (isDeliveryStore(value)) return value;
  if (typeof value === "function") return checked(await value(), configPath, "store()");
  if (typeof value === "object" && !Array.isArray(value) && "module" in value)
    return importSpec(value as Record<string, unknown>, configPath, env);
  throw invalid(configPath, "store", FORMS, value);
}
