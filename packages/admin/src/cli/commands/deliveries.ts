import type { Command } from "commander";
import { readDelivery } from "../../ops/records.js";
import { parseDeliveryFilter } from "../../query/parse-filter.js";
import { parseCursor, parseLimit } from "../../query/parse-limit.js";
import type { CliContext } from "../context.js";
import { deliveriesTable, deliveryDetailText } from "../format/deliveries.js";
import {
  DEFAULT_CLI_LIMIT,
  type FilterFlags,
  filterInput,
  flag,
  MAX_CLI_LIMIT,
  withDeliveryFilters,
} from "../options.js";
import { configuredShowHeaders } from "../show-headers.js";

interface ListFlags extends FilterFlags {
  readonly limit?: string;
  readonly cursor?: string;
  readonly json?: boolean;
}

export function registerDeliveries(program: Command, ctx: CliContext): void {
  const deliveries = program.command("deliveries").description("list and inspect deliveries");

  withDeliveryFilters(
    deliveries.command("list", { isDefault: true }).description("deliveries, newest first"),
    "statuses: pending, sending, succeeded, failed, cancelled",
  )
    .option("--limit <n>", `rows per page, 1 to ${MAX_CLI_LIMIT}`, String(DEFAULT_CLI_LIMIT))
    .option("--cursor <cursor>", "continue after a previous page (its nextCursor)")
    .option("--json", "print JSON: { items, nextCursor }")
    .action(async (flags: ListFlags) => {
      const filter = parseDeliveryFilter(filterInput(flags), flag, ctx.now);
      const limit = parseLimit("--limit", flags.limit, DEFAULT_CLI_LIMIT, MAX_CLI_LIMIT);
      const cursor = parseCursor("--cursor", flags.cursor);
      const page = await (await ctx.store()).listDeliveries(filter, { limit, cursor: cursor ?? null });
      if (flags.json) return ctx.json(page);
      const c = ctx.colors();
      if (page.items.length === 0) return ctx.out(c.dim("No deliveries match."));
      ctx.out(deliveriesTable(c, page.items));
      if (page.nextCursor) ctx.out(c.dim(`More: add --cursor ${page.nextCursor}`));
    });

  deliveries
    .command("show <id>")
    .description("one delivery: the event body and every attempt with request and response")
    .option("--json", "print JSON")
    .action(async (id: string, flags: { json?: boolean }) => {
      const detail = await readDelivery(await ctx.store(), id, "<id>", await configuredShowHeaders(ctx));
      if (flags.json) return ctx.json(detail);
      ctx.out(deliveryDetailText(ctx.colors(), detail));
    });
}
