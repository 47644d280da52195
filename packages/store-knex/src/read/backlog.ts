import type { EndpointBacklog } from "@hookline/core";
import type { StoreContext } from "../context.js";
import { num, numOrNull } from "../util/convert.js";

/**
 * Due pending deliveries per endpoint: a range of the due index `(status, next_attempt_at)`, so
 * only rows that are due are read, however many are scheduled for later.
 */
export async function backlog(ctx: StoreContext): Promise<EndpointBacklog[]> {
  const { db, t, dialect } = ctx;
  const rows = (await db(t.deliveries)
    .select("endpoint_id")
    .count({ n: "*" })
    .min({ oldest: "next_attempt_at" })
    .where("status", "pending")
    .andWhere("next_attempt_at", "<=", db.raw(dialect.nowMs()))
    .groupBy("endpoint_id")) as Record<string, unknown>[];
  return rows
    .map((r) => {
      const oldest = numOrNull(r.oldest);
      return {
        endpointId: r.endpoint_id as string,
        due: num(r.n),
        oldestDueAt: oldest === null ? null : new Date(oldest),
      };
    })
    .sort((a, b) => (a.endpointId < b.endpointId ? -1 : a.endpointId > b.endpointId ? 1 : 0));
}
