import type { DeliveryStore, NewEvent } from "@hookline/core";
import { makeEvent, makeOutcome, makeResult } from "@hookline/core/testing";

const HOUR = 3_600_000;
const CODES = ["add_credits", "post_code_change", "user_credits_zero"] as const;

/**
 * A day of finished deliveries, hour by hour, written straight into the store (claimed on
 * insert, then completed), so charts have history. Deterministic: no randomness.
 */
export async function insertHistory(store: DeliveryStore, now: Date, hours = 24): Promise<number> {
  const events: NewEvent[] = [];
  const plan: { ev: NewEvent; ok: boolean; ms: number; at: Date }[] = [];
  for (let h = hours; h >= 1; h--) {
    const perHour = 3 + ((h * 7) % 6);
    for (let i = 0; i < perHour; i++) {
      // Everything lies over an hour back, so tests can tell live deliveries (since=1h) from history.
      const at = new Date(now.getTime() - (h + 1) * HOUR + i * 60_000);
      const code = CODES[(h + i) % 3]!;
      const ev = makeEvent({
        code,
        subject: `b-${(h * 13 + i) % 40}`,
        endpoints: [["crm", "billing", "alerts"][(h + i) % 3]!],
        body: JSON.stringify({ buyerId: `b-${i}`, eventCode: code }),
        claim: { leaseMs: 600_000 },
        createdAt: at,
      });
      events.push(ev);
      plan.push({ ev, ok: (h + i) % 7 !== 0 && !(h >= 5 && h <= 6), ms: 40 + ((h * 31 + i * 17) % 160), at });
    }
  }
  await store.insertEvents(events);
  await store.complete(
    plan.map(({ ev, ok, ms, at }) => {
      const d = ev.deliveries[0]!;
      const claim = {
        id: d.id,
        claimToken: d.claim!.token,
        attempts: 1,
        endpointId: d.endpointId,
        eventCode: ev.code,
      };
      return ok
        ? makeResult(claim, makeOutcome("success", { durationMs: ms }), { status: "succeeded" }, at)
        : makeResult(claim, makeOutcome("retryable", { durationMs: ms * 3 }), { status: "failed" }, at);
    }),
  );
  return events.length;
}
