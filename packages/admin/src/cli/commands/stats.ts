import type { Command } from "commander";
import { parseDeliveryFilter, parseTimeRange } from "../../query/parse-filter.js";
import type { CliContext } from "../context.js";
import { statsTable } from "../format/stats.js";
import { fmtTime } from "../format/text.js";
import { flag } from "../options.js";

const DAY = 86_400_000;
const collect = (value: string, previous: string[] = []) => [...previous, value];

interface StatsFlags {
  readonly since?: string;
  readonly until?: string;
  readonly event?: string[];
  readonly endpoint?: string[];
  readonly json?: boolean;
}

export function registerStats(program: Command, ctx: CliContext): void {
  program
    .command("stats")
    .description("per event code and endpoint: counts, success rate, p50/p95 latency")
    .option("--since <time>", "deliveries created at or after (default: 24h ago)")
    .option("--until <time>", "deliveries created before (default: now)")
    .option("--event <list>", "only these event codes", collect)
    .option("--endpoint <list>", "only these endpoints", collect)
    .option("--json", "print JSON: { since, until, rows }")
    .action(async (flags: StatsFlags) => {
      const range = parseTimeRange(flags, flag, ctx.now, DAY);
      // The store groups every pair; the narrowing is a view, validated like any filter.
      const f = parseDeliveryFilter({ event: flags.event, endpoint: flags.endpoint }, flag, ctx.now);
      const rows = (await (await ctx.store()).stats(range)).filter(
        (r) =>
          (!f.eventCode || f.eventCode.includes(r.eventCode)) &&
          (!f.endpointId || f.endpointId.includes(r.endpointId)),
      );
      if (flags.json) return ctx.json({ ...range, rows });
      const c = ctx.colors();
      ctx.out(c.dim(`Deliveries created ${fmtTime(range.since)} – ${fmtTime(range.until)}`));
      if (rows.length === 0) return ctx.out(c.dim("No deliveries in this range."));
      ctx.out(statsTable(c, rows));
    });
}
