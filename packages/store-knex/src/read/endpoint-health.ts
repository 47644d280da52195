import type { EndpointHealth, TimeRange } from "@hookline/core";
import type { StoreContext } from "../context.js";
import { num } from "../util/convert.js";
import { rangeMs } from "./stats.js";

const FAILURES = ["retryable", "permanent"];

/**
 * Health of every endpoint with attempts. Each query walks the (endpoint, outcome, started_at)
 * or started_at index; the failure streak is one range per endpoint after its last success.
 */
export async function endpointHealth(ctx: StoreContext, range: TimeRange): Promise<EndpointHealth[]> {
  const { since, until } = rangeMs(range);
  const { db, t } = ctx;
  const latest = (await db(t.attempts)
    .select("endpoint_id", "outcome")
    .max({ at: "started_at" })
    .groupBy("endpoint_id", "outcome")) as Record<string, unknown>[];
  const inRange = (await db(t.attempts)
    .select("endpoint_id", "outcome")
    .count({ n: "*" })
    .where("started_at", ">=", since)
    .andWhere("started_at", "<", until)
    .groupBy("endpoint_id", "outcome")) as Record<string, unknown>[];
  const acc = new Map<string, { ok: number | null; bad: number | null; total: number; okInRange: number }>();
  const entry = (id: unknown) => {
    const key = String(id);
    const e = acc.get(key) ?? { ok: null, bad: null, total: 0, okInRange: 0 };
    acc.set(key, e);
    return e;
  };
  for (const r of latest) {
    const e = entry(r.endpoint_id);
    const at = num(r.at);
    if (r.outcome === "success") e.ok = at;
    else e.bad = Math.max(e.bad ?? at, at);
  }
  for (const r of inRange) {
    const e = entry(r.endpoint_id);
    e.total += num(r.n);
    if (r.outcome === "success") e.okInRange += num(r.n);
  }
  const result = await Promise.all(
    [...acc.entries()].map(async ([endpointId, e]): Promise<EndpointHealth> => {
      const q = db(t.attempts)
        .count({ n: "*" })
        .min({ first: "started_at" })
        .where("endpoint_id", endpointId)
        .whereIn("outcome", FAILURES);
      if (e.ok !== null) q.andWhere("started_at", ">", e.ok);
      const streak =
        e.bad === null || (e.ok !== null && e.ok > e.bad)
          ? undefined
          : ((await q.first()) as Record<string, unknown>);
      const failures = streak ? num(streak.n) : 0;
      return {
        endpointId,
        successRate: e.total === 0 ? null : e.okInRange / e.total,
        attemptsInRange: e.total,
        consecutiveFailures: failures,
        lastSuccessAt: e.ok === null ? null : new Date(e.ok),
        lastFailureAt: e.bad === null ? null : new Date(e.bad),
        failingSince: failures > 0 && streak?.first != null ? new Date(num(streak.first)) : null,
      };
    }),
  );
  return result.sort((a, b) => a.endpointId.localeCompare(b.endpointId));
}
