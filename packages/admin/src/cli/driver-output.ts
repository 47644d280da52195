import { format } from "node:util";
import { terminalSafe } from "./format/text.js";

const METHODS = ["log", "info", "warn", "error", "debug", "trace"] as const;

/**
 * True when `--debug` is among the global flags. Read before commander parses, so the process can
 * be set up before any driver loads; a value that happens to read "--debug" only turns on output.
 */
export function debugRequested(argv: readonly string[]): boolean {
  const end = argv.indexOf("--");
  return (end === -1 ? argv : argv.slice(0, end)).includes("--debug");
}

/**
 * Route what libraries print through `console` (knex and tarn log "Acquire connection error" with
 * a stack trace on stdout, drivers warn) to `write`, or nowhere. The CLI reports every failure
 * itself, in one line; this output only helps with `--debug`, on stderr, away from `--json`.
 */
export function routeConsole(write: ((text: string) => void) | null): void {
  for (const m of METHODS) {
    console[m] = (...args: unknown[]) => {
      if (write) write(`${terminalSafe(format(...args), false)}\n`);
    };
  }
}
