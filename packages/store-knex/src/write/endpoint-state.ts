import { type CircuitState, describeValue, type EndpointState, HooklineError } from "@hookline/core";
import { type StoreContext, transaction } from "../context.js";
import { bool, dateOrNull, num } from "../util/convert.js";
import { retryTransient } from "../util/retry.js";
import { addDeliveryCells } from "./stats-rollup.js";

/** Deliveries cancelled per statement when an endpoint is disabled. */
const CANCEL_BATCH = 500;

export async function getEndpointStates(ctx: StoreContext): Promise<EndpointState[]> {
  const rows = (await ctx.db(ctx.t.endpoints).select("*").orderBy("endpoint_id")) as Record<
    string,
    unknown
  >[];
  return rows.map((r) => ({
    endpointId: r.endpoint_id as string,
    disabled: bool(r.disabled),
    disabledAt: dateOrNull(r.disabled_at),
    disabledReason: (r.disabled_reason as string | null) ?? null,
    // 0: a row added for a rate limit or breaker; the switch itself never changed.
    updatedAt: num(r.updated_at) === 0 ? null : dateOrNull(r.updated_at),
    circuit: ((r.circuit as CircuitState | null) ?? "closed") as CircuitState,
    consecutiveFailures: num(r.failures ?? 0),
    openUntil: r.circuit === "open" || r.circuit === "half_open" ? dateOrNull(r.open_until) : null,
    pausedUntil: dateOrNull(r.paused_until),
  }));
}

/**
 * Persist the switch and, when disabling, cancel the endpoint's pending deliveries in the same
 * transaction. In-flight (sending) deliveries finish their attempt; the dispatcher checks the
 * switch before the next one.
 */
export async function setEndpointDisabled(
  ctx: StoreContext,
  endpointId: string,
  disabled: boolean,
  reason?: string,
): Promise<{ cancelled: number }> {
  if (typeof endpointId !== "string" || endpointId.length === 0 || endpointId.length > 64)
    throw new HooklineError(
      "HOOKLINE_INVALID_OPTION",
      `endpointId: expected a string of 1 to 64 chars, got ${describeValue(endpointId)}`,
    );
  if (typeof disabled !== "boolean")
    throw new HooklineError(
      "HOOKLINE_INVALID_OPTION",
      `disabled: expected a boolean, got ${describeValue(disabled)}`,
    );
  if (reason !== undefined && typeof reason !== "string")
    throw new HooklineError(
      "HOOKLINE_INVALID_OPTION",
      `reason: expected a string, got ${describeValue(reason)}`,
    );
  const { t, dialect } = ctx;
  return retryTransient(ctx, () =>
    transaction(ctx, async (trx) => {
      const now = dialect.nowMs();
      await trx(t.endpoints)
        .insert({
          endpoint_id: endpointId,
          disabled,
          disabled_at: disabled ? trx.raw(now) : null,
          disabled_reason: disabled ? (reason ?? null) : null,
          updated_at: trx.raw(now),
        })
        .onConflict("endpoint_id")
        .merge();
      if (!disabled) return { cancelled: 0 };
      // A batch at a time: lock what is cancelled, move it, count it into the roll-up. The moved
      // rows are no longer pending, so the next SELECT finds the next batch.
      let cancelled = 0;
      for (;;) {
        const q = trx(t.deliveries)
          .select("id")
          .where({ endpoint_id: endpointId, status: "pending" })
          // The order of dlv_endpoint_status_idx, so each batch is a range read, never a sort.
          .orderBy([{ column: "created_at" }, { column: "id" }])
          .limit(CANCEL_BATCH);
        const ids = ((await (dialect.skipLocked ? q.forUpdate() : q)) as { id: string }[]).map((r) => r.id);
        if (ids.length === 0) break;
        cancelled += num(
          await trx(t.deliveries)
            .whereIn("id", ids)
            .update({ status: "cancelled", next_attempt_at: null, updated_at: trx.raw(now) }),
        );
        await addDeliveryCells(ctx, trx, ids, 1);
        if (ids.length < CANCEL_BATCH) break;
      }
      return { cancelled };
    }),
  );
}
