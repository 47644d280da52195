/** Structured log sink. Every method takes a message and optional fields. */
export interface Logger {
  /** Verbose diagnostics (claims, batches). */
  debug(msg: string, fields?: Record<string, unknown>): void;
  /** Normal operation (worker started/stopped). */
  info(msg: string, fields?: Record<string, unknown>): void;
  /** Something recoverable went wrong (store unavailable, backing off). */
  warn(msg: string, fields?: Record<string, unknown>): void;
  /** Something failed that an operator should look at. */
  error(msg: string, fields?: Record<string, unknown>): void;
}

const noop = () => {};

/** The default: silent. Failures still reach the `error` lifecycle event. */
export const silentLogger: Logger = Object.freeze({ debug: noop, info: noop, warn: noop, error: noop });

/** A logger writing warn/error (and info/debug when `verbose`) to the console. */
export function consoleLogger(verbose = false): Logger {
  const line = (level: string, msg: string, fields?: Record<string, unknown>) =>
    `[hookline] ${level} ${msg}${fields ? ` ${JSON.stringify(fields)}` : ""}`;
  return Object.freeze({
    debug: (m: string, f?: Record<string, unknown>) => verbose && console.debug(line("debug", m, f)),
    info: (m: string, f?: Record<string, unknown>) => verbose && console.info(line("info", m, f)),
    warn: (m: string, f?: Record<string, unknown>) => console.warn(line("warn", m, f)),
    error: (m: string, f?: Record<string, unknown>) => console.error(line("error", m, f)),
  });
}
