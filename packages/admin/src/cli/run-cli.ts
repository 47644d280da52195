import { HOOKLINE_VERSION, isHooklineError } from "@hookline/core";
import { Command, CommanderError } from "commander";
import { registerDeliveries } from "./commands/deliveries.js";
import { registerEndpoints } from "./commands/endpoints.js";
import { registerEvents } from "./commands/events.js";
import { registerMigrate } from "./commands/migrate.js";
import { registerPurge } from "./commands/purge.js";
import { registerRedact } from "./commands/redact.js";
import { registerReplay } from "./commands/replay.js";
import { registerServe } from "./commands/serve.js";
import { registerStats } from "./commands/stats.js";
import { type CliContext, colorsEnabled, createContext, type GlobalOptions } from "./context.js";
import { oneLine } from "./format/text.js";
import type { CliIo } from "./io.js";

/** Exit codes: 0 ok, 1 the work failed (store, not found), 2 the command line was wrong. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

function buildProgram(ctx: CliContext): Command {
  const program = new Command("hookline")
    .description("Hookline admin: the delivery log, replays, stats, endpoint health, and the admin server")
    .version(HOOKLINE_VERSION, "-V, --version", "print the version")
    .option(
      "-c, --config <file>",
      "config file (default: hookline.config.{ts,mts,js,mjs,json} in the working directory)",
    )
    .option("--no-color", "plain output even on a terminal (NO_COLOR does the same)")
    .option("--debug", "on failure, also print the stack trace and what the database driver logged")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride()
    .configureOutput({
      // Help and usage errors echo arguments, which may come from scripts fed with stored data.
      writeOut: (s) => void ctx.io.stdout.write(ctx.safe(s)),
      writeErr: (s) => void ctx.io.stderr.write(ctx.safe(s)),
      outputError: (s, write) => write(colorsEnabled(ctx.io, undefined) ? ctx.colors().red(s) : s),
    })
    .hook("preAction", (_cmd, action) => ctx.setGlobals(action.optsWithGlobals() as GlobalOptions));
  // Registered after the root's settings: commander copies exitOverride and output routing into
  // subcommands when they are created.
  registerMigrate(program, ctx);
  registerDeliveries(program, ctx);
  registerEvents(program, ctx);
  registerReplay(program, ctx);
  registerStats(program, ctx);
  registerPurge(program, ctx);
  registerRedact(program, ctx);
  registerEndpoints(program, ctx);
  registerServe(program, ctx);
  return program;
}

/** One line, what was expected and what was given; never a stack trace. */
function errorLine(err: unknown): string {
  return oneLine(rawErrorLine(err));
}

function rawErrorLine(err: unknown): string {
  if (isHooklineError(err)) {
    const cause =
      err.code === "HOOKLINE_STORE_ERROR" && err.cause instanceof Error
        ? ` (${err.cause.message.split("\n")[0]})`
        : "";
    return `error: ${err.message.split("\n")[0]}${cause}`;
  }
  return `error: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`;
}

/** The error's stack and every cause's, for `--debug`. */
function stackTrace(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err, depth = 0; e !== undefined && depth < 5; depth++) {
    parts.push(e instanceof Error ? (e.stack ?? `${e.name}: ${e.message}`) : String(e));
    e = e instanceof Error ? e.cause : undefined;
  }
  return parts.join("\ncaused by: ");
}

/**
 * Run the `hookline` CLI in-process: `argv` without node and script (e.g. ["deliveries", "list"]).
 * Resolves with the exit code; never calls process.exit.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const ctx = createContext(io);
  const program = buildProgram(ctx);
  try {
    await program.parseAsync([...argv], { from: "user" });
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version are "errors" to commander; they have already been printed.
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    ctx.err(ctx.colors().red(errorLine(err)));
    if (program.opts<GlobalOptions>().debug) ctx.err(stackTrace(err));
    return isHooklineError(err, "HOOKLINE_INVALID_OPTION") ? EXIT.usage : EXIT.failed;
  } finally {
    await ctx.dispose();
  }
}
