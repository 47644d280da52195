import type { DeliveryStore, ResolvedEndpoint } from "@hookline/core";
import pc from "picocolors";
import { type AdminConfig, loadAdminConfig } from "../config/load-admin-config.js";
import { jsonText, terminalSafe } from "./format/text.js";
import type { CliIo } from "./io.js";

/** picocolors' formatter set (no-ops when colours are off). */
export type Colors = ReturnType<typeof pc.createColors>;

/** Global options every command sees. */
export interface GlobalOptions {
  readonly config?: string;
  readonly color?: boolean;
  readonly debug?: boolean;
}

/** Per-run state shared by the commands: output, colours, and the config and store, opened once. */
export interface CliContext {
  readonly io: CliIo;
  readonly now: Date;
  colors(): Colors;
  /** Print a line to stdout. */
  out(line?: string): void;
  /** Print a line to stderr. */
  err(line?: string): void;
  /** Print a value as JSON (dates as ISO strings). */
  json(value: unknown): void;
  /** Human output as it may reach a terminal: colour codes only when colours are on, other controls escaped. */
  safe(text: string): string;
  config(): Promise<AdminConfig>;
  store(): Promise<DeliveryStore>;
  endpoints(): Promise<readonly ResolvedEndpoint[]>;
  /** Close what was opened. */
  dispose(): Promise<void>;
  /** Set by the root command before any action runs. */
  setGlobals(g: GlobalOptions): void;
}

/** NO_COLOR (any non-empty value) and a non-terminal both turn colours off; see no-color.org. */
export function colorsEnabled(io: CliIo, flag: boolean | undefined): boolean {
  return flag !== false && io.isTTY && !io.env.NO_COLOR;
}

export function createContext(io: CliIo): CliContext {
  let globals: GlobalOptions = {};
  let config: Promise<AdminConfig> | undefined;
  let store: Promise<DeliveryStore> | undefined;
  const ctx: CliContext = {
    io,
    now: io.now?.() ?? new Date(),
    colors: () => pc.createColors(colorsEnabled(io, globals.color)),
    out: (line = "") => void io.stdout.write(`${ctx.safe(line)}\n`),
    err: (line = "") => void io.stderr.write(`${ctx.safe(line)}\n`),
    json: (value) => void io.stdout.write(`${jsonText(value)}\n`),
    safe: (text) => terminalSafe(text, colorsEnabled(io, globals.color)),
    config: () => {
      config ??= loadAdminConfig({
        cwd: io.cwd,
        env: io.env,
        ...(globals.config !== undefined ? { file: globals.config } : {}),
      });
      return config;
    },
    store: () => {
      store ??= ctx.config().then((c) => c.openStore());
      return store;
    },
    endpoints: async () => (await ctx.config()).endpoints(),
    dispose: async () => {
      const s = store;
      store = undefined;
      if (s) await (await s.catch(() => undefined))?.close();
    },
    setGlobals: (g) => {
      globals = g;
    },
  };
  return ctx;
}
