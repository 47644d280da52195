import type { Command } from "commander";
import { parseTime } from "../../query/parse-time.js";
import type { CliContext } from "../context.js";
import { deliveries, fmtTime } from "../format/text.js";

export function registerPurge(program: Command, ctx: CliContext): void {
  program
    .command("purge")
    .description(
      "delete succeeded, failed and cancelled deliveries (with their attempts, and events left empty) last updated before a time",
    )
    .requiredOption("--older-than <time>", "a duration (30d, 12w) or an ISO date/time")
    .option("--json", "print JSON: { olderThan, purged }")
    .action(async (flags: { olderThan: string; json?: boolean }) => {
      const olderThan = parseTime("--older-than", flags.olderThan, ctx.now);
      const purged = await (await ctx.store()).purge(olderThan);
      if (flags.json) return ctx.json({ olderThan, purged });
      ctx.out(`Purged ${deliveries(purged)} last updated before ${fmtTime(olderThan)}.`);
    });
}
