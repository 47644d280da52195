import type { EndpointHealth, TimeRange } from "@hookline/core";
import type { StoreContext } from "../context.js";
import { num, numOrNull } from "../util/convert.js";
import { rangeMs } from "./stats.js";

const FAILURES = ["retryable", "permanent"];

/**
 * Every endpoint id in the attempts (or deliveries) table, by a loose index scan: one "next
 * endpoint after x" probe of the (endpoint_id, …) index per endpoint rather than a pass over
 * every row. Done as a loop of bound-value probes because MariaDB scans the whole index for the
 * correlated form of the same probe inside a recursive CTE.
 */
async function endpointIds(ctx: StoreContext, table: string): Promise<string[]> {
  const ids: string[] = [];
  for (;;) {
    const q = ctx.db(table).min({ e: "endpoint_id" });
    const last = ids[ids.length - 1];
    if (last !== undefined) q.where("endpoint_id", ">", last);
    const row = (await q.first()) as { e: string | null } | undefined;
    if (row?.e == null) return ids;
    ids.push(row.e);
  }
}

/** Latest attempt start of one endpoint with one outcome: a single backward index probe. */
async function latest(ctx: StoreContext, endpointId: string, outcome: string): Promise<number | null> {
  const row = (await ctx
    .db(ctx.t.attempts)
    .max({ at: "started_at" })
    .where({ endpoint_id: endpointId, outcome })
    .first()) as { at: unknown } | undefined;
  return numOrNull(row?.at);
}

/**
 * Pending deliveries of one endpoint and the oldest one's creation time: a count over the
 * (endpoint_id, status, created_at, id) index range, read from the index alone.
 */
async function backlog(
  ctx: StoreContext,
  endpointId: string,
): Promise<{ pending: number; oldestPendingAt: Date | null }> {
  const row = (await ctx
    .db(ctx.t.deliveries)
    .count({ n: "*" })
    .min({ oldest: "created_at" })
    .where({ endpoint_id: endpointId, status: "pending" })
    .first()) as { n: unknown; oldest: unknown } | undefined;
  const oldest = numOrNull(row?.oldest);
  return { pending: num(row?.n ?? 0), oldestPendingAt: oldest === null ? null : new Date(oldest) };
}

/**
 * Health of every endpoint with attempts or pending deliveries (configured anywhere or not).
 * `range` bounds successRate and attemptsInRange; the failure streak runs from the endpoint's
 * last success (all time).
 */
export async function endpointHealth(ctx: StoreContext, range: TimeRange): Promise<EndpointHealth[]> {
  const { since, until } = rangeMs(range);
  const { db, t } = ctx;
  const [attempted, logged, inRange] = await Promise.all([
    endpointIds(ctx, t.attempts),
    endpointIds(ctx, t.deliveries),
    db(t.attempts)
      .select("endpoint_id", "outcome")
      .count({ n: "*" })
      .where("started_at", ">=", since)
      .andWhere("started_at", "<", until)
      .groupBy("endpoint_id", "outcome") as Promise<Record<string, unknown>[]>,
  ]);
  const hasAttempts = new Set(attempted);
  const ids = [...new Set([...attempted, ...logged])];
  const result = await Promise.all(
    ids.map(async (endpointId): Promise<EndpointHealth | null> => {
      const waiting = await backlog(ctx, endpointId);
      // An endpoint whose deliveries are all settled and never attempted (cancelled) has no health.
      if (!hasAttempts.has(endpointId) && waiting.pending === 0) return null;
      const [ok, retryable, permanent] = await Promise.all([
        latest(ctx, endpointId, "success"),
        latest(ctx, endpointId, "retryable"),
        latest(ctx, endpointId, "permanent"),
      ]);
      const bads = [retryable, permanent].filter((v): v is number => v !== null);
      const bad = bads.length > 0 ? Math.max(...bads) : null;
      let failures = 0;
      let first: number | null = null;
      if (bad !== null && (ok === null || bad > ok)) {
        const q = db(t.attempts)
          .count({ n: "*" })
          .min({ first: "started_at" })
          .where("endpoint_id", endpointId)
          .whereIn("outcome", FAILURES);
        if (ok !== null) q.andWhere("started_at", ">", ok);
        const streak = (await q.first()) as Record<string, unknown> | undefined;
        failures = num(streak?.n ?? 0);
        first = numOrNull(streak?.first);
      }
      const mine = inRange.filter((r) => r.endpoint_id === endpointId);
      const total = mine.reduce((sum, r) => sum + num(r.n), 0);
      const okInRange = mine.filter((r) => r.outcome === "success").reduce((sum, r) => sum + num(r.n), 0);
      return {
        endpointId,
        successRate: total === 0 ? null : okInRange / total,
        attemptsInRange: total,
        consecutiveFailures: failures,
        lastSuccessAt: ok === null ? null : new Date(ok),
        lastFailureAt: bad === null ? null : new Date(bad),
        failingSince: failures > 0 && first !== null ? new Date(first) : null,
        ...waiting,
      };
    }),
  );
  return result
    .filter((h): h is EndpointHealth => h !== null)
    .sort((a, b) => a.endpointId.localeCompare(b.endpointId));
}
