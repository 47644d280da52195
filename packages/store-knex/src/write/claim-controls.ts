import type { EndpointControl } from "@hookline/core";
import type { Knex } from "knex";
import type { StoreContext } from "../context.js";
import { num } from "../util/convert.js";
import {
  type ControlPatch,
  type ControlRow,
  ensureControlRows,
  readControlRows,
  updateControlRow,
} from "./endpoint-control-rows.js";
import { recordSends, sendsInWindow, tokensAfter, windowRoom } from "./send-window.js";

/** The claim's own candidate query: due ids of `endpointIds`, at most `limit`, oldest first. */
export type CandidateQuery = (limit: number, endpointIds: readonly string[]) => Promise<string[]>;

/**
 * What a claim does with one endpoint. `skip`: paused (429), open circuit cooling down, or a
 * probe out. `probe`: the cool-down is over (or the probe's lease ran out): one delivery goes.
 * `limited`: a token bucket or a concurrency cap decides how many. `plain`: the shared query.
 */
export type Verdict = "skip" | "probe" | "limited" | "plain";

export function verdictOf(c: EndpointControl | undefined, row: ControlRow | undefined, now: number): Verdict {
  if (row?.pausedUntil != null && row.pausedUntil > now) return "skip";
  if (c?.breaker && row) {
    if (row.circuit === "open") return row.openUntil != null && row.openUntil > now ? "skip" : "probe";
    if (row.circuit === "half_open")
      return row.probeUntil != null && row.probeUntil >= now ? "skip" : "probe";
  }
  return c?.rateLimit || c?.maxConcurrent !== undefined ? "limited" : "plain";
}

/** Tokens in the bucket at `now` (a row never used starts full); undefined without a rate limit. */
export function tokensAt(c: EndpointControl | undefined, row: ControlRow | undefined, now: number) {
  const rate = c?.rateLimit;
  if (!rate) return undefined;
  if (row?.tokens == null) return rate.burst;
  const elapsed = Math.max(0, now - (row.tokensAt ?? now));
  return Math.min(rate.burst, row.tokens + (elapsed * rate.perSecond) / 1000);
}

/** Deliveries of each endpoint sending under a lease that has not run out. */
async function liveCounts(
  ctx: StoreContext,
  trx: Knex.Transaction,
  nowSql: string,
  endpointIds: readonly string[],
): Promise<Map<string, number>> {
  if (endpointIds.length === 0) return new Map();
  const rows = (await trx(ctx.t.deliveries)
    .select("endpoint_id")
    .count({ n: "*" })
    .whereIn("endpoint_id", endpointIds as string[])
    .andWhere("status", "sending")
    .andWhere("lease_until", ">=", trx.raw(nowSql))
    .groupBy("endpoint_id")) as { endpoint_id: string; n: unknown }[];
  return new Map(rows.map((r) => [r.endpoint_id, num(r.n)]));
}

/** Circuits left open by a breaker the endpoint no longer has: nothing would ever close them. */
async function closeOrphans(ctx: StoreContext, trx: Knex.Transaction, endpointIds: readonly string[]) {
  if (endpointIds.length === 0) return;
  await trx(ctx.t.endpoints)
    .whereIn("endpoint_id", endpointIds as string[])
    .andWhereNot("circuit", "closed")
    .update({ circuit: "closed", open_until: null, cooldown_ms: null, probe_id: null, probe_until: null });
}

const shuffled = <T>(items: T[]): T[] => {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
};

/**
 * A claim with limits and breakers (see DeliveryStore.claimDue `controls`). One read of the
 * claimer's endpoint rows sorts its endpoints. The common case, no limit and a closed circuit,
 * goes through the claim's own query for all of them at once, as without controls. Limited and
 * probing endpoints have their rows locked (so every process sees one bucket and one probe), get
 * their allowance, and are claimed one by one first: their share is bounded by the bucket, while
 * a large backlog on the shared query would otherwise starve them.
 */
export async function claimWithControls(
  ctx: StoreContext,
  trx: Knex.Transaction,
  opts: { readonly limit: number; readonly leaseMs: number; readonly endpointIds: readonly string[] },
  controls: ReadonlyMap<string, EndpointControl>,
  nowSql: string,
  candidates: CandidateQuery,
): Promise<string[]> {
  const endpointIds = [...new Set(opts.endpointIds)];
  const first = await readControlRows(ctx, trx, endpointIds, false);
  const plain: string[] = [];
  const special: string[] = [];
  const orphans: string[] = [];
  for (const ep of endpointIds) {
    const c = controls.get(ep);
    const row = first.rows.get(ep);
    if (row && !c?.breaker && row.circuit !== "closed") orphans.push(ep);
    const v = verdictOf(c, row, first.now);
    if (v === "plain") plain.push(ep);
    else if (v !== "skip") special.push(ep);
  }
  await closeOrphans(ctx, trx, orphans);
  let room = opts.limit;
  const ids: string[] = [];
  if (special.length > 0) {
    const missing = special.filter((ep) => !first.rows.has(ep));
    if (missing.length > 0) await ensureControlRows(ctx, trx, missing);
    // Read again under the lock: another claimer may have spent the tokens or sent the probe.
    const locked = await readControlRows(ctx, trx, special, true);
    const capped = special.filter((ep) => controls.get(ep)?.maxConcurrent !== undefined);
    const live = await liveCounts(ctx, trx, nowSql, capped);
    const limited = special.filter((ep) => controls.get(ep)?.rateLimit !== undefined);
    const sent = await sendsInWindow(ctx, trx, locked.now, limited);
    const verdicts = special.map((ep) => ({
      ep,
      v: verdictOf(controls.get(ep), locked.rows.get(ep), locked.now),
    }));
    const order = [
      ...verdicts.filter((x) => x.v === "probe"),
      ...shuffled(verdicts.filter((x) => x.v === "limited")),
    ];
    for (const { ep, v } of order) {
      if (room === 0) break;
      const c = controls.get(ep);
      const bucket = tokensAt(c, locked.rows.get(ep), locked.now);
      let allowance = v === "probe" ? 1 : room;
      const rate = c?.rateLimit;
      const inWindow = rate && bucket !== undefined ? windowRoom(rate, bucket, sent.get(ep) ?? 0) : room;
      if (bucket !== undefined) allowance = Math.min(allowance, Math.floor(bucket + 1e-9), inWindow);
      if (c?.maxConcurrent !== undefined)
        allowance = Math.min(allowance, c.maxConcurrent - (live.get(ep) ?? 0));
      const got = allowance > 0 ? await candidates(allowance, [ep]) : [];
      const patch: ControlPatch = {};
      const tokens = rate && bucket !== undefined ? tokensAfter(bucket, got.length, inWindow) : undefined;
      if (tokens !== undefined) Object.assign(patch, { tokens, tokens_at: locked.now });
      if (got.length === 0) {
        await updateControlRow(ctx, trx, ep, patch);
        continue;
      }
      ids.push(...got);
      room -= got.length;
      if (rate) await recordSends(ctx, trx, ep, nowSql, got.length);
      if (v === "probe")
        Object.assign(patch, {
          circuit: "half_open",
          probe_id: got[0]!,
          probe_until: { sql: `${nowSql} + ${opts.leaseMs}` },
        });
      await updateControlRow(ctx, trx, ep, patch);
    }
  }
  if (room > 0 && plain.length > 0) ids.push(...(await candidates(room, plain)));
  return ids;
}
