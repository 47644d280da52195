import type { Command } from "commander";
import { invalidOption } from "../../errors.js";
import { endpointOverview, switchEndpoint } from "../../ops/endpoints.js";
import { parseTimeRange } from "../../query/parse-filter.js";
import type { CliContext } from "../context.js";
import { endpointsTable } from "../format/endpoints.js";
import { deliveries, hasControls } from "../format/text.js";
import { flag } from "../options.js";

const WEEK = 7 * 86_400_000;
const MAX_REASON = 500;

export function registerEndpoints(program: Command, ctx: CliContext): void {
  const endpoints = program
    .command("endpoints")
    .description("the configured endpoints with health; enable or disable one");

  endpoints
    .command("list", { isDefault: true })
    .description(
      "endpoints with delivery control, circuit, success rate, consecutive failures, last success and failure, pending and due backlog",
    )
    .option("--since <time>", "success rate over attempts since (default: 7d)")
    .option("--until <time>", "…and before (default: now)")
    .option("--json", "print JSON")
    .action(async (flags: { since?: string; until?: string; json?: boolean }) => {
      const range = parseTimeRange(flags, flag, ctx.now, WEEK);
      const views = await endpointOverview(await ctx.store(), await ctx.endpoints(), range, ctx.now);
      if (flags.json) return ctx.json(views);
      ctx.out(endpointsTable(ctx.colors(), views, ctx.now));
    });

  endpoints
    .command("disable <id>")
    .description("stop sending to an endpoint; its pending deliveries become cancelled (replayable)")
    .requiredOption("--reason <text>", "why, shown by the admin tools")
    .option("--json", "print JSON")
    .action(async (id: string, flags: { reason: string; json?: boolean }) => {
      const reason = flags.reason.trim();
      if (reason === "" || reason.length > MAX_REASON || hasControls(reason))
        throw invalidOption(
          "--reason",
          `1 to ${MAX_REASON} characters without control characters`,
          flags.reason,
        );
      const r = await switchEndpoint(await ctx.store(), await ctx.endpoints(), id, true, reason);
      if (flags.json) return ctx.json({ endpointId: id, disabled: true, ...r });
      ctx.out(
        `Endpoint ${id} disabled; ${deliveries(r.cancelled).replace(" ", " pending ")} cancelled (replay them later).`,
      );
    });

  endpoints
    .command("enable <id>")
    .description("send to an endpoint again (cancelled deliveries stay cancelled until replayed)")
    .option("--json", "print JSON")
    .action(async (id: string, flags: { json?: boolean }) => {
      await switchEndpoint(await ctx.store(), await ctx.endpoints(), id, false);
      if (flags.json) return ctx.json({ endpointId: id, disabled: false });
      ctx.out(`Endpoint ${id} enabled. Workers pick it up within their refresh interval (30 s by default).`);
    });
}
