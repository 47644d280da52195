import { access, readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { HooklineError } from "../errors/hookline-error.js";
import type { HooklineConfig } from "./endpoint-config.js";

/** File names searched, in order, when no explicit path is given. */
export const CONFIG_FILE_NAMES = [
  "hookline.config.ts",
  "hookline.config.mts",
  "hookline.config.js",
  "hookline.config.mjs",
  "hookline.config.json",
] as const;

/** Options for loadConfig. */
export interface LoadConfigOptions {
  /** Directory searched for hookline.config.*. @default process.cwd() */
  readonly cwd?: string;
  /** Explicit path (relative to cwd); skips the search. */
  readonly file?: string;
}

/**
 * Load the constants file. `.json` is parsed; `.js/.mjs` are imported; `.ts/.mts` load through
 * jiti so no build step is needed. The default export (or a `config` export) is returned as-is:
 * `${ENV}` substitution and validation happen in createHookline / resolveEndpoints.
 */
export async function loadConfig(
  opts: LoadConfigOptions = {},
): Promise<{ config: HooklineConfig; path: string }> {
  const cwd = opts.cwd ?? process.cwd();
  const path = opts.file ? resolve(cwd, opts.file) : await findConfig(cwd);
  try {
    await access(path);
  } catch (cause) {
    throw new HooklineError("HOOKLINE_CONFIG_NOT_FOUND", `expected a config file at ${path}, found none`, {
      cause,
    });
  }
  let mod: unknown;
  try {
    if (path.endsWith(".json")) mod = JSON.parse(await readFile(path, "utf8"));
    else if (/\.m?ts$/.test(path)) {
      const { createJiti } = await import("jiti");
      mod = await createJiti(import.meta.url, { moduleCache: false }).import(path);
    } else mod = await import(pathToFileURL(path).href);
  } catch (cause) {
    throw new HooklineError(
      "HOOKLINE_CONFIG_LOAD_FAILED",
      `could not load ${path}: ${(cause as Error).message}`,
      {
        cause,
      },
    );
  }
  const m = mod as { default?: unknown; config?: unknown; endpoints?: unknown };
  const config = (path.endsWith(".json") ? m : (m.default ?? m.config)) as HooklineConfig | undefined;
  if (typeof config !== "object" || config === null || !Array.isArray(config.endpoints)) {
    throw new HooklineError(
      "HOOKLINE_CONFIG_LOAD_FAILED",
      `${path}: expected a default export of the form { endpoints: [...] }`,
    );
  }
  return { config, path };
}

async function findConfig(cwd: string): Promise<string> {
  for (const name of CONFIG_FILE_NAMES) {
    const candidate = resolve(cwd, name);
    try {
      await access(candidate);
      return candidate;
    } catch {}
  }
  throw new HooklineError(
    "HOOKLINE_CONFIG_NOT_FOUND",
    `expected one of ${CONFIG_FILE_NAMES.join(", ")} in ${cwd}, found none (pass --config or opts.file)`,
  );
}
