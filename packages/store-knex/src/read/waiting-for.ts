import type { StoreContext } from "../context.js";
import { UNFINISHED_SQL } from "../migrations/0008-subject-order.js";
import { bool } from "../util/convert.js";

/**
 * What holds a pending ordered delivery back: the earliest delivery of its endpoint and subject,
 * pending or sending, created before it (by created_at, then id). Null for any other delivery, and
 * for the head of its subject. One range of dlv_subject_order_idx, first entry.
 */
export async function waitingForOf(ctx: StoreContext, row: Record<string, unknown>): Promise<string | null> {
  if (row.status !== "pending" || !bool(row.ordered) || row.subject == null) return null;
  const createdAt = Number(row.created_at);
  const first = (await ctx
    .db(ctx.t.deliveries)
    .select("id")
    .where({ endpoint_id: row.endpoint_id as string, subject: row.subject as string })
    .whereRaw(UNFINISHED_SQL)
    .andWhere((older) =>
      older
        .where("created_at", "<", createdAt)
        .orWhere((tie) => tie.where("created_at", createdAt).andWhere("id", "<", row.id as string)),
    )
    .orderBy([{ column: "created_at" }, { column: "id" }])
    .first()) as { id: string } | undefined;
  return first?.id ?? null;
}
