import { type DeliveryStore, TERMINAL_STATUSES } from "@hookline/core";
import type { Command } from "commander";
import { invalidOption } from "../../errors.js";
import { readDelivery } from "../../ops/records.js";
import { executeReplay, planReplay, type ReplayPlan, SUPERSEDED_CODE } from "../../ops/replay.js";
import { isNarrowed, parseDeliveryFilter } from "../../query/parse-filter.js";
import type { CliContext } from "../context.js";
import { startProgress } from "../format/progress.js";
import { deliveries, oneLine } from "../format/text.js";
import { type FilterFlags, filterInput, flag, withDeliveryFilters } from "../options.js";

interface ReplayFlags extends FilterFlags {
  readonly all?: boolean;
  readonly dryRun?: boolean;
  readonly json?: boolean;
}

const counts = (m: Readonly<Record<string, number | undefined>>) =>
  Object.entries(m)
    .map(([k, n]) => `${oneLine(k)} ${n}`)
    .join(", ");

async function planForIds(store: DeliveryStore, ids: readonly string[]): Promise<ReplayPlan> {
  const byStatus: Record<string, number> = {};
  const byEndpoint: Record<string, number> = {};
  const seen = new Set<string>();
  let superseded = 0;
  for (const id of ids) {
    const d = await readDelivery(store, id, "<delivery-id>");
    if (!TERMINAL_STATUSES.includes(d.status))
      throw invalidOption(
        "<delivery-id>",
        `a ${TERMINAL_STATUSES.join(", ")} delivery, but ${id} is ${d.status} and will be sent anyway`,
      );
    if (seen.has(d.id)) continue;
    seen.add(d.id);
    byStatus[d.status] = (byStatus[d.status] ?? 0) + 1;
    byEndpoint[d.endpointId] = (byEndpoint[d.endpointId] ?? 0) + 1;
    if (d.lastErrorCode === SUPERSEDED_CODE) superseded++;
  }
  return { ids: [...seen], byStatus, byEndpoint, superseded };
}

// Replaying a superseded delivery sends an older state after the newer one: worth a second look.
function supersededNote(ctx: CliContext, plan: ReplayPlan): void {
  if (plan.superseded === 0) return;
  ctx.out(
    ctx
      .colors()
      .yellow(
        `${deliveries(plan.superseded)} superseded by a newer state (${SUPERSEDED_CODE}): a replay sends the older state after the newer one (--status failed leaves cancelled ones out).`,
      ),
  );
}

export function registerReplay(program: Command, ctx: CliContext): void {
  withDeliveryFilters(
    program
      .command("replay [delivery-ids...]")
      .description(
        "move terminal deliveries back to pending: a running Hookline worker re-sends them with the same webhook-id and a fresh signature",
      ),
    "statuses to replay: failed, cancelled, succeeded (default: failed,cancelled)",
  )
    .option("--all", "allow a bulk replay without any filter")
    .option("--dry-run", "only show what would be replayed")
    .option("--json", "print JSON")
    .action(async (ids: string[], flags: ReplayFlags) => {
      const filter = parseDeliveryFilter(filterInput(flags), flag, ctx.now, TERMINAL_STATUSES);
      if (ids.length > 0 && isNarrowed(filter))
        throw invalidOption("replay", "either delivery ids or filter flags, not both");
      if (ids.length === 0 && !isNarrowed(filter) && !flags.all)
        throw invalidOption(
          "replay",
          "a delivery id, or a filter (--status, --event, --endpoint, --subject, --since, --until), or --all",
        );
      const store = await ctx.store();
      const plan = ids.length > 0 ? await planForIds(store, ids) : await planReplay(store, filter);
      const summary = {
        matched: plan.ids.length,
        byStatus: plan.byStatus,
        byEndpoint: plan.byEndpoint,
        superseded: plan.superseded,
      };
      if (flags.dryRun) {
        if (flags.json) return ctx.json({ dryRun: true, ...summary, ids: plan.ids });
        if (plan.ids.length === 0) return ctx.out("Dry run: nothing to replay.");
        ctx.out(`Dry run: would replay ${deliveries(plan.ids.length)} (${counts(plan.byStatus)}).`);
        ctx.out(`By endpoint: ${counts(plan.byEndpoint)}.`);
        return supersededNote(ctx, plan);
      }
      // JSON goes to scripts: no bar to interleave with it.
      const progress = startProgress(
        { ...ctx.io, isTTY: ctx.io.isTTY && !flags.json },
        plan.ids.length,
        "replay",
      );
      const result = await executeReplay(store, plan.ids, (done) => progress.update(done));
      progress.stop();
      if (flags.json) return ctx.json({ dryRun: false, ...summary, ...result });
      const c = ctx.colors();
      if (plan.ids.length === 0) return ctx.out("Nothing to replay.");
      ctx.out(
        c.green(`Replayed ${result.requeued} of ${deliveries(plan.ids.length)}`) +
          ` (${counts(plan.byStatus)}; by endpoint: ${counts(plan.byEndpoint)}).`,
      );
      if (result.skipped > 0)
        ctx.out(c.yellow(`${result.skipped} skipped: no longer terminal (already requeued or sending).`));
      supersededNote(ctx, plan);
      ctx.out("A running Hookline worker sends them again: same webhook-id, fresh signature.");
    });
}
