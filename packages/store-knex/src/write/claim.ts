import {
  type ClaimedDelivery,
  describeValue,
  type EndpointControl,
  HooklineError,
  newId,
  type SubjectKey,
} from "@hookline/core";
import type { Knex } from "knex";
import { type StoreContext, transaction } from "../context.js";
import { caseById } from "../util/case-by-id.js";
import { date, num } from "../util/convert.js";
import { retryTransient } from "../util/retry.js";
import { traceContextOf } from "../util/trace-context.js";
import { claimWithControls } from "./claim-controls.js";
import { claimWithoutJit, headsOnly, notBehindUnfinished, subjectHeads } from "./claim-ordering.js";
import { controlsById } from "./control-options.js";

export interface ClaimOptions {
  readonly limit: number;
  readonly leaseMs: number;
  readonly workerId: string;
  /** Only deliveries to these endpoints are claimed (see DeliveryStore.claimDue). */
  readonly endpointIds: readonly string[];
  /** Rate limits, concurrency caps and breakers (see DeliveryStore.claimDue). */
  readonly controls?: readonly EndpointControl[];
  /** Only the next delivery of each of these ordered subjects (see DeliveryStore.claimDue). */
  readonly subjects?: readonly SubjectKey[];
}

/** Keeps one claim's UPDATE well under every bound-parameter limit. */
export const MAX_CLAIM = 1000;

function validate(opts: ClaimOptions): void {
  const bad = (name: string, expected: string, got: unknown) =>
    new HooklineError(
      "HOOKLINE_INVALID_OPTION",
      `claimDue ${name}: expected ${expected}, got ${describeValue(got)}`,
    );
  if (!Number.isInteger(opts?.limit) || opts.limit < 1 || opts.limit > MAX_CLAIM)
    throw bad("limit", `an integer from 1 to ${MAX_CLAIM}`, opts?.limit);
  if (!Number.isInteger(opts.leaseMs) || opts.leaseMs < 1)
    throw bad("leaseMs", "a positive integer", opts.leaseMs);
  if (typeof opts.workerId !== "string" || opts.workerId.length === 0 || opts.workerId.length > 255)
    throw bad("workerId", "a non-empty string of at most 255 chars", opts.workerId);
  const ids = opts.endpointIds as unknown;
  if (
    !Array.isArray(ids) ||
    ids.length > MAX_CLAIM ||
    !ids.every((id) => typeof id === "string" && id.length > 0 && id.length <= 255)
  )
    throw bad("endpointIds", `an array of at most ${MAX_CLAIM} endpoint ids`, ids);
  const subjects = opts.subjects as unknown;
  const isText = (v: unknown) => typeof v === "string" && v.length > 0 && v.length <= 255;
  if (
    subjects !== undefined &&
    (!Array.isArray(subjects) ||
      subjects.length > MAX_CLAIM ||
      !subjects.every((k) => isText(k?.endpointId) && isText(k?.subject)))
  )
    throw bad("subjects", `an array of at most ${MAX_CLAIM} { endpointId, subject } pairs`, subjects);
}

/**
 * Claim due deliveries of the given endpoints: expired leases first (crashed workers), then
 * pending rows by due time.
 * MySQL/MariaDB/PostgreSQL lock the candidates with `FOR UPDATE SKIP LOCKED`, so concurrent
 * claimers split the work without waiting; SQLite has one writer, and the UPDATE re-checks the
 * due condition (compare-and-set) so a second process sharing the file cannot take a row twice.
 */
export async function claimDue(ctx: StoreContext, opts: ClaimOptions): Promise<ClaimedDelivery[]> {
  validate(opts);
  const controls = controlsById(opts.controls, "claimDue");
  if (opts.endpointIds.length === 0 || opts.subjects?.length === 0) return [];
  return retryTransient(ctx, () => transaction(ctx, (trx) => claimIn(ctx, trx, opts, controls)));
}

async function candidates(
  ctx: StoreContext,
  trx: Knex.Transaction,
  now: string,
  limit: number,
  endpointIds: readonly string[],
  subjects: readonly SubjectKey[] | undefined,
) {
  const lockFree = (q: Knex.QueryBuilder) => (ctx.dialect.skipLocked ? q.forUpdate().skipLocked() : q);
  // Rows of endpoints this process does not know are left to a process that does. The filter
  // rides on the due index's range (endpoint_id is checked per row, not a range of its own), so
  // the order and the LIMIT still come from the index: see "Claiming" in the README.
  const known = (q: Knex.QueryBuilder) => q.whereIn("endpoint_id", endpointIds as string[]);
  // A sending row's next_attempt_at is its lease's end (migration 0002), so expired leases are a
  // range of the due index. lease_until stays the truth, for rows leased by a process still on
  // 0001's code (a rolling upgrade): their next_attempt_at is the due time they were claimed at,
  // or NULL when they were inserted claimed. Where NULLs sort first (MySQL, SQLite) the NULLs
  // extend the same range; PostgreSQL sorts them last and looks them up on their own.
  const expiredLeases = (n: number, onlyNull: boolean) => {
    const q = trx(ctx.t.deliveries).select("id").where("status", "sending");
    if (onlyNull) q.whereNull("next_attempt_at");
    else if (ctx.dialect.nullsFirst)
      q.andWhere((w) => w.where("next_attempt_at", "<", trx.raw(now)).orWhereNull("next_attempt_at"));
    else q.andWhere("next_attempt_at", "<", trx.raw(now));
    return lockFree(
      notBehindUnfinished(ctx, known(q))
        .andWhere("lease_until", "<", trx.raw(now))
        .orderBy([{ column: "next_attempt_at" }, { column: "id" }])
        .limit(n),
    ) as Promise<{ id: string }[]>;
  };
  if (subjects !== undefined) return subjectHeads(ctx, trx, now, limit, endpointIds, subjects);
  const expired = await expiredLeases(limit, false);
  if (!ctx.dialect.nullsFirst && expired.length < limit)
    expired.push(...(await expiredLeases(limit - expired.length, true)));
  const room = limit - expired.length;
  const due =
    room > 0
      ? ((await lockFree(
          headsOnly(ctx, known(trx(ctx.t.deliveries).select("id").where("status", "pending")))
            .andWhere("next_attempt_at", "<=", trx.raw(now))
            .orderBy([{ column: "next_attempt_at" }, { column: "id" }])
            .limit(room),
        )) as { id: string }[])
      : [];
  return [...expired, ...due].map((r) => r.id);
}

async function claimIn(
  ctx: StoreContext,
  trx: Knex.Transaction,
  opts: ClaimOptions,
  controls: ReadonlyMap<string, EndpointControl> | undefined,
) {
  const { t, dialect } = ctx;
  const now = dialect.nowMs();
  await claimWithoutJit(ctx, trx);
  const ids = controls
    ? await claimWithControls(ctx, trx, opts, controls, now, (n, eps) =>
        candidates(ctx, trx, now, n, eps, opts.subjects),
      )
    : await candidates(ctx, trx, now, opts.limit, opts.endpointIds, opts.subjects);
  if (ids.length === 0) return [];
  const tokens = new Map(ids.map((id) => [id, newId("clm")]));
  await trx(t.deliveries)
    .whereIn("id", ids)
    .where((q) =>
      q
        .where((p) => p.where("status", "pending").andWhere("next_attempt_at", "<=", trx.raw(now)))
        .orWhere((s) => s.where("status", "sending").andWhere("lease_until", "<", trx.raw(now))),
    )
    .update({
      status: "sending",
      attempts: trx.raw("attempts + 1"),
      claim_token: caseById(
        trx,
        ids,
        (id) => id,
        (id) => tokens.get(id) ?? null,
        dialect.text,
      ),
      worker_id: opts.workerId,
      lease_until: trx.raw(`${now} + ?`, [opts.leaseMs]),
      next_attempt_at: trx.raw(`${now} + ?`, [opts.leaseMs]),
      updated_at: trx.raw(now),
    });
  const rows = (await trx({ d: t.deliveries })
    .join({ e: t.events }, "e.id", "d.event_id")
    .whereIn("d.id", ids)
    .select(
      "d.id",
      "d.event_id",
      "d.event_code",
      "d.endpoint_id",
      "d.subject",
      "d.attempts",
      "d.replays",
      "d.claim_token",
      "e.body",
      { event_created_at: "e.created_at" },
      "e.trace_parent",
      "e.trace_state",
    )) as Record<string, unknown>[];
  const byId = new Map(rows.map((r) => [r.id as string, r]));
  // Only rows still carrying our token are ours (the compare-and-set may have lost some).
  return ids.flatMap((id): ClaimedDelivery[] => {
    const r = byId.get(id);
    if (!r || r.claim_token !== tokens.get(id)) return [];
    return [
      {
        id,
        eventId: r.event_id as string,
        eventCode: r.event_code as string,
        endpointId: r.endpoint_id as string,
        subject: (r.subject as string | null) ?? null,
        body: r.body as string,
        attempts: num(r.attempts),
        replays: num(r.replays),
        claimToken: r.claim_token as string,
        eventCreatedAt: date(r.event_created_at),
        traceContext: traceContextOf(r.trace_parent, r.trace_state),
      },
    ];
  });
}
