import type { Logger } from "@hookline/core";
import type { Command } from "commander";
import { createAdminServer } from "../../api/create-admin-server.js";
import { STORE_PAGE_CAP } from "../../api/options.js";
import { invalidOption } from "../../errors.js";
import { parseLimit } from "../../query/parse-limit.js";
import type { CliContext } from "../context.js";

interface ServeFlags {
  readonly host: string;
  readonly port: string;
  readonly token?: string;
  readonly auth: boolean;
  readonly maxPageSize?: string;
}

/** Failed requests go to stderr, where an operator running `serve` looks. */
function stderrLogger(ctx: CliContext): Logger {
  const line = (level: string) => (fields: Record<string, unknown>, msg: string) =>
    ctx.err(
      `[hookline-admin] ${level} ${msg}${Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : ""}`,
    );
  return { debug: () => {}, info: () => {}, warn: line("warn"), error: line("error") };
}

function waitForAbort(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (!signal) return; // the bin always passes one; without it, serve runs until the process ends
    if (signal.aborted) return resolve();
    signal.addEventListener("abort", () => resolve(), { once: true });
  });
}

export function registerServe(program: Command, ctx: CliContext): void {
  program
    .command("serve")
    .description("serve the admin JSON API and the dashboard")
    .option("--host <address>", "address to bind", "127.0.0.1")
    .option("--port <port>", "port to bind (0: any free port)", "4400")
    .option(
      "--token <token>",
      "bearer token (prefer the HOOKLINE_ADMIN_TOKEN variable: arguments show in ps)",
    )
    .option("--no-auth", "serve without a token; only allowed on a loopback host")
    .option("--max-page-size <n>", "largest page a request may ask for (default 200)")
    .action(async (flags: ServeFlags) => {
      const port = /^\d{1,5}$/.test(flags.port) ? Number(flags.port) : Number.NaN;
      if (!(port >= 0 && port <= 65_535))
        throw invalidOption("--port", "an integer from 0 to 65535", flags.port);
      const maxPageSize =
        flags.maxPageSize === undefined
          ? undefined
          : parseLimit("--max-page-size", flags.maxPageSize, 200, STORE_PAGE_CAP);
      const token = flags.token ?? ctx.io.env.HOOKLINE_ADMIN_TOKEN;
      if (!flags.auth && flags.token !== undefined)
        throw invalidOption("--token", "no token together with --no-auth");
      const server = createAdminServer({
        store: await ctx.store(),
        endpoints: await ctx.endpoints(),
        host: flags.host,
        port,
        ...(flags.auth ? { token } : { auth: false }),
        ...(maxPageSize !== undefined ? { maxPageSize } : {}),
        ...(ctx.io.now ? { now: ctx.io.now } : {}),
        logger: stderrLogger(ctx),
      });
      const url = await server.listen();
      ctx.out(`Hookline admin listening on ${url}/`);
      ctx.out(
        flags.auth
          ? "API and dashboard need the bearer token (sign in on the page, or open /#token=<token>)."
          : "Auth is OFF (loopback only).",
      );
      await waitForAbort(ctx.io.signal);
      await server.close();
    });
}
