import type { Command } from "commander";
import { readEvent } from "../../ops/records.js";
import { parseEventFilter } from "../../query/parse-filter.js";
import { parseCursor, parseLimit } from "../../query/parse-limit.js";
import type { CliContext } from "../context.js";
import { eventDetailText, eventsTable } from "../format/events.js";
import {
  DEFAULT_CLI_LIMIT,
  type FilterFlags,
  filterInput,
  flag,
  MAX_CLI_LIMIT,
  withEventFilters,
} from "../options.js";

interface ListFlags extends FilterFlags {
  readonly limit?: string;
  readonly cursor?: string;
  readonly json?: boolean;
}

export function registerEvents(program: Command, ctx: CliContext): void {
  const events = program.command("events").description("list and inspect events (one per emit)");

  withEventFilters(events.command("list", { isDefault: true }).description("events, newest first"))
    .option("--limit <n>", `rows per page, 1 to ${MAX_CLI_LIMIT}`, String(DEFAULT_CLI_LIMIT))
    .option("--cursor <cursor>", "continue after a previous page (its nextCursor)")
    .option("--json", "print JSON: { items, nextCursor }")
    .action(async (flags: ListFlags) => {
      const filter = parseEventFilter(filterInput(flags), flag, ctx.now);
      const limit = parseLimit("--limit", flags.limit, DEFAULT_CLI_LIMIT, MAX_CLI_LIMIT);
      const cursor = parseCursor("--cursor", flags.cursor);
      const page = await (await ctx.store()).listEvents(filter, { limit, cursor: cursor ?? null });
      if (flags.json) return ctx.json(page);
      const c = ctx.colors();
      if (page.items.length === 0) return ctx.out(c.dim("No events match."));
      ctx.out(eventsTable(c, page.items));
      if (page.nextCursor) ctx.out(c.dim(`More: add --cursor ${page.nextCursor}`));
    });

  events
    .command("show <id>")
    .description("one event: its exact body and its deliveries")
    .option("--json", "print JSON")
    .action(async (id: string, flags: { json?: boolean }) => {
      const detail = await readEvent(await ctx.store(), id, "<id>");
      if (flags.json) return ctx.json(detail);
      ctx.out(eventDetailText(ctx.colors(), detail));
    });
}
