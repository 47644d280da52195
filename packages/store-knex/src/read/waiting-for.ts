import type { StoreContext } from "../context.js";
import { UNFINISHED_SQL } from "../migrations/0008-subject-order.js";
import { bool, num } from "../util/convert.js";

type Key = { id: string; created_at: unknown };
const before = (a: Key, b: Key) =>
  num(a.created_at) < num(b.created_at) || (num(a.created_at) === num(b.created_at) && a.id < b.id);

/**
 * What holds a pending ordered delivery back: the earliest delivery of its endpoint and subject,
 * pending or sending, created before it (by created_at, then id). Null for any other delivery, and
 * for the head of its subject. Two reads of one entry each from dlv_subject_order_idx, one per
 * status (each in index order; both statuses at once would sort every earlier one).
 */
export async function waitingForOf(ctx: StoreContext, row: Record<string, unknown>): Promise<string | null> {
  if (row.status !== "pending" || !bool(row.ordered) || row.subject == null) return null;
  const self = { id: row.id as string, created_at: row.created_at };
  const first = (status: "pending" | "sending") =>
    ctx
      .db(ctx.t.deliveries)
      .select("id", "created_at")
      .where({ endpoint_id: row.endpoint_id as string, subject: row.subject as string })
      .whereRaw(UNFINISHED_SQL)
      .andWhere("status", status)
      .orderBy([{ column: "created_at" }, { column: "id" }])
      .first() as Promise<Key | undefined>;
  const earlier = (await Promise.all([first("pending"), first("sending")])).filter(
    (k): k is Key => k !== undefined && before(k, self),
  );
  const [head] = earlier.sort((a, b) => (before(a, b) ? -1 : 1));
  return head?.id ?? null;
}
