/**
 * Structured log sink in pino's call order: fields first, then the message, so a pino logger (or
 * anything shaped like it) can be passed as it is. Hookline always calls these as methods on the
 * logger object, never detached, because pino's methods depend on `this`.
 */
export interface Logger {
  /**
   * Verbose diagnostics (claims, batches).
   * @param fields structured context for the line (ids, counts, error text)
   * @param msg what happened, in a few words
   */
  debug(fields: Record<string, unknown>, msg: string): void;
  /**
   * Normal operation (worker started/stopped).
   * @param fields structured context for the line
   * @param msg what happened, in a few words
   */
  info(fields: Record<string, unknown>, msg: string): void;
  /**
   * Something recoverable went wrong (store unavailable, backing off).
   * @param fields structured context for the line
   * @param msg what happened, in a few words
   */
  warn(fields: Record<string, unknown>, msg: string): void;
  /**
   * Something failed that an operator should look at.
   * @param fields structured context for the line
   * @param msg what happened, in a few words
   */
  error(fields: Record<string, unknown>, msg: string): void;
}

import { describeValue, HooklineError } from "../errors/hookline-error.js";

const LEVELS = ["debug", "info", "warn", "error"] as const;

/**
 * Validates a `logger` option: an object whose four level methods are functions. Only those four
 * are checked, never the other keys, because a pino logger carries many more (child, level, …).
 */
export function checkLogger(name: string, value: unknown): Logger {
  const expected = "a logger with debug, info, warn and error methods taking (fields, message), such as pino";
  if (typeof value !== "object" || value === null) {
    throw new HooklineError(
      "HOOKLINE_INVALID_OPTION",
      `${name}: expected ${expected}, got ${describeValue(value)}`,
    );
  }
  const missing = LEVELS.filter((level) => typeof (value as Record<string, unknown>)[level] !== "function");
  if (missing.length > 0) {
    throw new HooklineError(
      "HOOKLINE_INVALID_OPTION",
      `${name}: expected ${expected}, got ${describeValue(value)} without ${missing.map((m) => `${m}()`).join(", ")}`,
    );
  }
  return value as Logger;
}

const noop = () => {};

/** The default: silent. Failures still reach the `error` lifecycle event. */
export const silentLogger: Logger = Object.freeze({ debug: noop, info: noop, warn: noop, error: noop });

/** A logger writing warn/error (and info/debug when `verbose`) to the console. */
export function consoleLogger(verbose = false): Logger {
  const line = (level: string, fields: Record<string, unknown>, msg: string) =>
    `[hookline] ${level} ${msg}${Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : ""}`;
  return Object.freeze({
    debug: (f: Record<string, unknown>, m: string) => verbose && console.debug(line("debug", f, m)),
    info: (f: Record<string, unknown>, m: string) => verbose && console.info(line("info", f, m)),
    warn: (f: Record<string, unknown>, m: string) => console.warn(line("warn", f, m)),
    error: (f: Record<string, unknown>, m: string) => console.error(line("error", f, m)),
  });
}
