import type { InsertReport, NewEvent } from "@hookline/core";
import type { Knex } from "knex";
import type { StoreContext } from "../context.js";
import { chunk } from "../util/chunk.js";
import { quoteId } from "../util/sql.js";
import { earlierUnfinishedSql } from "./claim-ordering.js";
import { supersede, supersededBy, supersedeGroups } from "./supersede.js";

const IDS_PER_STATEMENT = 500;

/** A delivery inserted claimed to an ordered endpoint: the ones demotion looks at. */
interface ClaimedOrdered {
  readonly id: string;
  readonly endpointId: string;
  readonly subject: string;
  readonly code: string;
  readonly createdAt: number;
}

function claimedOrdered(events: readonly NewEvent[]): ClaimedOrdered[] {
  return events.flatMap((e) =>
    e.subject == null
      ? []
      : e.deliveries
          .filter((d) => d.ordered && d.claim && !d.cancelled)
          .map((d) => ({
            id: d.id,
            endpointId: d.endpointId,
            subject: e.subject as string,
            code: e.code,
            createdAt: e.createdAt.getTime(),
          })),
  );
}

/**
 * Put back every claimed ordered delivery that has an earlier unfinished one of its endpoint and
 * subject (stored before, or earlier in this batch, which is inserted already): pending and due
 * now, no attempt counted, no claim. The emitter must not send those; a worker claims each in
 * turn. Returns their ids.
 */
async function demote(
  ctx: StoreContext,
  trx: Knex.Transaction,
  candidates: readonly ClaimedOrdered[],
): Promise<Set<string>> {
  const { t, dialect } = ctx;
  const demoted = new Set<string>();
  const table = quoteId(dialect, t.deliveries);
  for (const part of chunk(candidates, IDS_PER_STATEMENT)) {
    const held = (await trx(t.deliveries)
      .select("id")
      .whereIn(
        "id",
        part.map((c) => c.id),
      )
      .whereRaw(earlierUnfinishedSql(ctx, table))) as { id: string }[];
    if (held.length === 0) continue;
    const ids = held.map((r) => r.id).sort();
    const now = dialect.nowMs();
    await trx(t.deliveries)
      .whereIn("id", ids)
      .update({
        status: "pending",
        attempts: 0,
        next_attempt_at: trx.raw(now),
        lease_until: null,
        claim_token: null,
        worker_id: null,
        updated_at: trx.raw(now),
      });
    for (const id of ids) demoted.add(id);
  }
  return demoted;
}

/**
 * What ordering and supersede do to a batch just inserted, in its transaction: supersede first,
 * so a stale pending state no longer holds the new one back; then demotion of claimed ordered
 * deliveries that wait behind an earlier one; then supersede again for what was just demoted
 * (now pending, so a newer state of the batch replaces it and it is never sent). `held`: claimed
 * deliveries already put back pending (their endpoint is held), reported as unclaimed too.
 */
export async function admitInserted(
  ctx: StoreContext,
  trx: Knex.Transaction,
  events: readonly NewEvent[],
  held: ReadonlySet<string>,
): Promise<Pick<InsertReport, "unclaimed" | "superseded">> {
  const groups = supersedeGroups(events);
  const superseded = new Map<string, number>();
  if (groups.length > 0) await supersede(ctx, trx, groups, superseded);
  const candidates = claimedOrdered(events).filter((c) => !held.has(c.id));
  const demoted = candidates.length > 0 ? await demote(ctx, trx, candidates) : new Set<string>();
  if (demoted.size > 0 && groups.length > 0) {
    const again = groups.filter((g) => candidates.some((c) => demoted.has(c.id) && supersededBy([g], c)));
    if (again.length > 0) await supersede(ctx, trx, again, superseded);
  }
  const unclaimed = new Set([...held, ...demoted]);
  return {
    ...(unclaimed.size > 0 ? { unclaimed } : {}),
    ...(superseded.size > 0 ? { superseded } : {}),
  };
}
