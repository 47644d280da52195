import type { Command } from "commander";
import { invalidOption } from "../errors.js";
import type { ArgName, FilterInput } from "../query/parse-filter.js";

/** CLI arguments are named as typed: `--status`. */
export const flag: ArgName = (field) => `--${field}`;

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Flags as commander hands them over. */
export interface FilterFlags {
  readonly status?: string[];
  readonly event?: string[];
  readonly endpoint?: string[];
  readonly subject?: string;
  readonly buyer?: string;
  readonly since?: string;
  readonly until?: string;
}

/** The delivery filters shared by `deliveries list` and `replay`. */
export function withDeliveryFilters(cmd: Command, statusHelp: string): Command {
  return withEventFilters(
    cmd
      .option("--status <list>", `${statusHelp} (comma-separated or repeated)`, collect)
      .option("--endpoint <list>", "endpoint ids (comma-separated or repeated)", collect),
  );
}

/** Filters that events have too. */
export function withEventFilters(cmd: Command): Command {
  return cmd
    .option("--event <list>", "event codes, e.g. add_credits (comma-separated or repeated)", collect)
    .option("--subject <subject>", "the event's subject, e.g. a buyer id")
    .option("--buyer <buyerId>", "alias of --subject for buyer events")
    .option("--since <time>", "created at or after: ISO date/time, or a duration ago (24h, 7d)")
    .option("--until <time>", "created before: ISO date/time, or a duration ago");
}

/** Commander flags → parser input; --buyer is --subject under the name buyer events use. */
export function filterInput(f: FilterFlags): FilterInput {
  if (f.buyer !== undefined && f.subject !== undefined && f.buyer !== f.subject)
    throw invalidOption("--buyer", "the same value as --subject, or only one of them", f.buyer);
  const subject = f.subject ?? f.buyer;
  return {
    ...(f.status ? { status: f.status } : {}),
    ...(f.event ? { event: f.event } : {}),
    ...(f.endpoint ? { endpoint: f.endpoint } : {}),
    ...(subject !== undefined ? { subject } : {}),
    ...(f.since !== undefined ? { since: f.since } : {}),
    ...(f.until !== undefined ? { until: f.until } : {}),
  };
}

/** Largest page the CLI asks for (the knex store's own cap). */
export const MAX_CLI_LIMIT = 1000;
export const DEFAULT_CLI_LIMIT = 50;
