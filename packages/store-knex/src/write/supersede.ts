import type { NewEvent } from "@hookline/core";
import type { Knex } from "knex";
import type { StoreContext } from "../context.js";
import { SUBJECT_ORDER_INDEX, UNFINISHED_SQL } from "../migrations/0008-subject-order.js";
import { chunk } from "../util/chunk.js";
import { quoteId } from "../util/sql.js";
import { addDeliveryCells } from "./stats-rollup.js";

/** The last error code of a delivery cancelled because a newer state of its subject replaced it. */
export const SUPERSEDED_CODE = "HOOKLINE_SUPERSEDED";

/** Groups per locking SELECT: each is one range of dlv_subject_order_idx. */
const GROUPS_PER_STATEMENT = 100;
const IDS_PER_UPDATE = 500;

/**
 * One endpoint, subject and event code whose newest inserted delivery asks to supersede: its
 * older pending deliveries are cancelled. `createdAt`/`id` is that newest delivery's sort key.
 */
export interface SupersedeGroup {
  readonly endpointId: string;
  readonly subject: string;
  readonly code: string;
  readonly createdAt: number;
  readonly id: string;
}

const keyOf = (g: Pick<SupersedeGroup, "endpointId" | "subject" | "code">) =>
  JSON.stringify([g.endpointId, g.subject, g.code]);
const before = (a: { createdAt: number; id: string }, b: { createdAt: number; id: string }) =>
  a.createdAt < b.createdAt || (a.createdAt === b.createdAt && a.id < b.id);

/**
 * The supersede groups of inserted events, in the order their rows are locked (endpoint, subject,
 * code): two inserts touching the same groups lock them alike. A delivery stored cancelled, or
 * one without a subject, supersedes nothing.
 */
export function supersedeGroups(events: readonly NewEvent[]): SupersedeGroup[] {
  const groups = new Map<string, SupersedeGroup>();
  for (const e of events) {
    if (e.subject == null) continue;
    for (const d of e.deliveries) {
      if (!d.supersede || d.cancelled) continue;
      const g = {
        endpointId: d.endpointId,
        subject: e.subject,
        code: e.code,
        createdAt: e.createdAt.getTime(),
        id: d.id,
      };
      const known = groups.get(keyOf(g));
      if (!known || before(known, g)) groups.set(keyOf(g), g);
    }
  }
  return [...groups.values()].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
}

/** Whether `row` (a delivery of `code` created at `createdAt`) is one `groups` supersedes. */
export function supersededBy(
  groups: readonly SupersedeGroup[],
  row: { endpointId: string; subject: string | null; code: string; createdAt: number; id: string },
): boolean {
  if (row.subject === null) return false;
  const g = groups.find((x) => keyOf(x) === keyOf({ ...row, subject: row.subject as string }));
  return g !== undefined && before(row, g);
}

/**
 * Cancel, with HOOKLINE_SUPERSEDED, every pending delivery of each group created before the
 * group's newest delivery: rows stored earlier and rows of this very batch alike. Sending ones
 * are in flight and finish. The rows are locked first, each group's in (created_at, id) order
 * (the index order, so MySQL locks them so as it scans), counted into the stats roll-up like any
 * terminal move, and stay replayable. Counts them per endpoint into `counts`.
 */
export async function supersede(
  ctx: StoreContext,
  trx: Knex.Transaction,
  groups: readonly SupersedeGroup[],
  counts: Map<string, number>,
): Promise<void> {
  const { t, dialect } = ctx;
  // MySQL is told the index: MariaDB 10.11 read the due index's whole pending range and sorted it
  // (10-190 ms per statement, growing with the backlog) where each group is one short range here.
  const table =
    dialect.name === "mysql"
      ? trx.raw(
          `${quoteId(dialect, t.deliveries)} FORCE INDEX (${quoteId(dialect, `${ctx.options.tablePrefix}${SUBJECT_ORDER_INDEX}`)})`,
        )
      : t.deliveries;
  for (const part of chunk(groups, GROUPS_PER_STATEMENT)) {
    const q = trx
      .from(table)
      .select("id", "endpoint_id")
      .whereRaw(UNFINISHED_SQL)
      .andWhere("status", "pending")
      .andWhere((any) => {
        for (const g of part)
          any.orWhere((w) =>
            w
              .where({ endpoint_id: g.endpointId, subject: g.subject, event_code: g.code })
              .andWhere((older) =>
                older
                  .where("created_at", "<", g.createdAt)
                  .orWhere((tie) => tie.where("created_at", g.createdAt).andWhere("id", "<", g.id)),
              ),
          );
      })
      .orderBy([
        { column: "endpoint_id" },
        { column: "subject" },
        { column: "created_at" },
        { column: "id" },
      ]);
    // SQLite has one writer: the transaction holds the whole file already.
    // Locked and pending as read (PostgreSQL re-checks the filter after waiting for a lock, a
    // MySQL locking read returns the committed row): the update below moves exactly these rows.
    const rows = (await (dialect.skipLocked ? q.forUpdate() : q)) as { id: string; endpoint_id: string }[];
    const now = dialect.nowMs();
    for (const ids of chunk(
      rows.map((r) => r.id),
      IDS_PER_UPDATE,
    )) {
      await trx(t.deliveries)
        .whereIn("id", ids)
        .andWhere("status", "pending")
        .update({
          status: "cancelled",
          last_error_code: SUPERSEDED_CODE,
          next_attempt_at: null,
          updated_at: trx.raw(now),
        });
      await addDeliveryCells(ctx, trx, ids, 1);
    }
    for (const r of rows) counts.set(r.endpoint_id, (counts.get(r.endpoint_id) ?? 0) + 1);
  }
}
