import { describeValue, HooklineError } from "@hookline/core";
import type { StoreContext } from "../context.js";
import { caseById } from "../util/case-by-id.js";
import { chunk } from "../util/chunk.js";
import { num } from "../util/convert.js";
import { retryTransient } from "../util/retry.js";

type Claim = { readonly deliveryId: string; readonly claimToken: string };

/**
 * Hand back claims that were never attempted (graceful stop): pending and due now, and the
 * attempt counted at claim time is un-counted. Fenced like complete().
 */
export async function release(ctx: StoreContext, claims: readonly Claim[]): Promise<number> {
  if (!Array.isArray(claims))
    throw new HooklineError(
      "HOOKLINE_INVALID_OPTION",
      `claims: expected an array, got ${describeValue(claims)}`,
    );
  const unique = [...new Map(claims.map((c) => [c.deliveryId, c])).values()];
  const { t, dialect, db } = ctx;
  let released = 0;
  for (const part of chunk(unique, 500)) {
    const now = dialect.nowMs();
    released += num(
      await retryTransient(ctx, () =>
        db(t.deliveries)
          .whereIn(
            "id",
            part.map((c) => c.deliveryId),
          )
          .andWhere("status", "sending")
          .andWhere(
            "claim_token",
            caseById(
              db,
              part,
              (c) => c.deliveryId,
              (c) => c.claimToken,
              dialect.text,
            ),
          )
          .update({
            status: "pending",
            attempts: db.raw("CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END"),
            claim_token: null,
            lease_until: null,
            worker_id: null,
            next_attempt_at: db.raw(now),
            updated_at: db.raw(now),
          }),
      ),
    );
  }
  return released;
}
