import {
  assertKnownKeys,
  type DeliveryStore,
  type HooklineConfig,
  loadConfig,
  type ResolvedEndpoint,
  resolveEndpoints,
} from "@hookline/core";
import { storeFromConfig } from "./store-from-config.js";

/** Options of loadAdminConfig. */
export interface AdminConfigOptions {
  /** Directory searched for hookline.config.{ts,mts,js,mjs,json}. @default process.cwd() */
  readonly cwd?: string;
  /** Config file (relative to cwd); skips the search. */
  readonly file?: string;
  /** Source of `${ENV}` values. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/** The constants file as the admin sees it. */
export interface AdminConfig {
  /** Absolute path of the file that was loaded. */
  readonly path: string;
  /** The file's export, unvalidated. */
  readonly raw: HooklineConfig;
  /**
   * The endpoints, validated by core's resolveEndpoints on first call. Lazy so that a missing
   * secret variable does not stop an admin from reading the log.
   */
  endpoints(): readonly ResolvedEndpoint[];
  /** A new store from the config's `store` entry (the caller closes it). */
  openStore(): Promise<DeliveryStore>;
}

/**
 * The admin does not know the deployment's plugins, so the codes the config itself lists are the
 * known codes: this still catches malformed entries, and the dispatcher checks codes for real.
 */
function listedCodes(config: HooklineConfig): string[] {
  const codes = new Set<string>();
  for (const ep of config.endpoints) {
    if (Array.isArray(ep?.events)) for (const c of ep.events) if (typeof c === "string") codes.add(c);
  }
  return [...codes];
}

/**
 * The top-level keys of the constants file. The admin reads only these, so another one (`stor`,
 * `Endpoints`) is a typo to report, not something to ignore.
 */
export const ADMIN_CONFIG_KEYS = ["endpoints", "store"] as const;

/** Load and check hookline.config.* for the admin tools. */
export async function loadAdminConfig(opts: AdminConfigOptions = {}): Promise<AdminConfig> {
  const env = opts.env ?? process.env;
  const { config, path } = await loadConfig({
    ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}),
    ...(opts.file !== undefined ? { file: opts.file } : {}),
  });
  assertKnownKeys(config as unknown, ADMIN_CONFIG_KEYS, path, "HOOKLINE_INVALID_CONFIG");
  let endpoints: readonly ResolvedEndpoint[] | undefined;
  return Object.freeze({
    path,
    raw: config,
    endpoints: () => {
      endpoints ??= resolveEndpoints(config.endpoints, { knownCodes: listedCodes(config), env });
      return endpoints;
    },
    openStore: () => storeFromConfig(config.store, path, env),
  });
}
