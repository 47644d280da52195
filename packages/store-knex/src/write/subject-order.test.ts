import type { DeliveryStore, NewEvent } from "@hookline/core";
import { makeEvent, makeOutcome, makeResult } from "@hookline/core/testing";
import type { Knex } from "knex";
import { expect, it } from "vitest";
import { useTestEnv } from "../__fixtures__/test-env.js";
import { rebuildStatsRollup } from "../maintenance/rebuild-rollup.js";
import type { TableNames } from "../schema/tables.js";
import { describeTargets, testTargets } from "../testing/databases.js";

const targets = await testTargets();

/** An event of `subject` created `at` ms after `start`, its one delivery ordered and/or superseding. */
function eventAt(
  start: number,
  at: number,
  subject: string,
  flags: { ordered?: boolean; supersede?: boolean } = {},
): NewEvent {
  const ev = makeEvent({ subject, code: "post_code_change", createdAt: new Date(start + at) });
  return { ...ev, deliveries: ev.deliveries.map((d) => ({ ...d, ...flags })) };
}

const nonZeroCells = (db: Knex, t: TableNames) =>
  db(t.statsHourly)
    .where("n", "<>", 0)
    .orderBy(["hour_start", "event_code", "endpoint_id", "cell", "v"])
    .select("*");

describeTargets(targets, "ordering and supersede across processes", (target) => {
  const env = useTestEnv(target, "so");

  it("three claimers (separate pools) over 20 ordered subjects: a delivery is claimed only once every earlier one of its subject succeeded, and each subject finishes in emit order, through failures and retries", async () => {
    const { store, open, db, t } = env();
    const start = Date.now() - 60_000;
    const events = Array.from({ length: 100 }, (_, i) => eventAt(start, i, `s${i % 20}`, { ordered: true }));
    await store.insertEvents([...events].reverse());
    const byId = new Map(events.map((e) => [e.deliveries[0]!.id, e]));
    const workers = [store, await open(), await open()];
    const finished = new Map<string, string[]>();
    const early: string[] = [];
    let turn = 0;
    const run = async (w: DeliveryStore, name: string) => {
      for (let misses = 0; misses < 4; ) {
        const claimed = await w.claimDue({
          limit: 7,
          leaseMs: 60_000,
          workerId: name,
          endpointIds: ["ep-a"],
        });
        misses = claimed.length === 0 ? misses + 1 : 0;
        // Every earlier delivery of the subject succeeded before this claim, and none can move back.
        for (const c of claimed) {
          const ev = byId.get(c.id)!;
          const open = await db(t.deliveries)
            .where({ subject: ev.subject! })
            .andWhere("created_at", "<", ev.createdAt.getTime())
            .whereNot("status", "succeeded")
            .select("id");
          if (open.length > 0) early.push(`${c.id} before ${open.map((r) => r.id).join(", ")}`);
        }
        // Every third first attempt fails and is due again at once: it keeps its place in line.
        const results = claimed.map((c) => {
          const fail = c.attempts === 1 && turn++ % 3 === 0;
          return makeResult(
            c,
            makeOutcome(fail ? "retryable" : "success"),
            fail ? { status: "pending", delayMs: 0 } : { status: "succeeded" },
          );
        });
        await w.complete(results);
        for (const r of results)
          if (r.next.status === "succeeded") {
            const s = byId.get(r.deliveryId)!.subject!;
            finished.set(s, [...(finished.get(s) ?? []), r.deliveryId]);
          }
        if (claimed.length === 0) await new Promise((r) => setTimeout(r, 5));
      }
    };
    await Promise.all(workers.map((w, i) => run(w, `w${i}`)));
    expect(early).toEqual([]);
    const emitted = new Map<string, string[]>();
    for (const e of events)
      emitted.set(e.subject!, [...(emitted.get(e.subject!) ?? []), e.deliveries[0]!.id]);
    expect(finished).toEqual(emitted);
  });

  it("an emitter's insert racing another process's claim of the same subject never keeps its claim while the earlier delivery is sending under that process", async () => {
    const { store, open, db, t } = env();
    const start = Date.now() - 60_000;
    const claimer = await open();
    const kept: string[] = [];
    // Many short races: the claim turns the earlier delivery from pending to sending at any
    // moment of the insert's transaction, which must judge the subject as of one instant.
    for (let round = 0; round < 40; round++) {
      const subject = `race-${round}`;
      const head = eventAt(start, round * 10, subject, { ordered: true });
      await store.insertEvents([head]);
      const mine = makeEvent({
        subject,
        code: "post_code_change",
        createdAt: new Date(start + round * 10 + 5),
        claim: { leaseMs: 60_000, workerId: "emitter" },
      });
      const next = { ...mine, deliveries: mine.deliveries.map((d) => ({ ...d, ordered: true })) };
      await Promise.all([
        claimer.claimDue({
          limit: 1,
          leaseMs: 60_000,
          workerId: "worker",
          endpointIds: ["ep-a"],
          subjects: [{ endpointId: "ep-a", subject }],
        }),
        store.insertEvents([next]),
      ]);
      const rows = (await db(t.deliveries).where({ subject }).select("id", "status", "worker_id")) as {
        id: string;
        status: string;
        worker_id: string | null;
      }[];
      const sending = rows.filter((r) => r.status === "sending").map((r) => r.worker_id);
      if (sending.includes("worker") && sending.includes("emitter")) kept.push(subject);
    }
    expect(kept).toEqual([]);
  });

  it("concurrent superseding inserts over shared subjects: all commit (conflicts retried), the newest of each subject stays pending, every other one is cancelled as superseded, and the roll-up matches a rebuild", async () => {
    const { store, open, db, t, prefix } = env();
    const start = Date.now() - 60_000;
    const writers = [store, await open(), await open(), await open()];
    const subjects = ["a", "b", "c", "d", "e"];
    // Each writer's batches name the subjects in its own order, so their locks cross.
    const batches = writers.map((_, w) =>
      Array.from({ length: 6 }, (_, b) =>
        subjects.map((_, i) =>
          eventAt(start, (b * 4 + w) * 10 + i, subjects[(i + w) % 5]!, { supersede: true }),
        ),
      ),
    );
    await Promise.all(
      writers.map(async (w, i) => {
        for (const batch of batches[i]!) await w.insertEvents(batch);
      }),
    );
    const all = batches.flat(2);
    const rows = (await db(t.deliveries).select(
      "id",
      "subject",
      "status",
      "last_error_code",
      "created_at",
    )) as {
      id: string;
      subject: string;
      status: string;
      last_error_code: string | null;
      created_at: number | string;
    }[];
    expect(rows).toHaveLength(all.length);
    const newest = new Map<string, string>();
    for (const e of [...all].sort((x, y) => x.createdAt.getTime() - y.createdAt.getTime()))
      newest.set(e.subject!, e.deliveries[0]!.id);
    for (const r of rows) {
      if (newest.get(r.subject) === r.id) expect(r.status).toBe("pending");
      else if (r.status === "cancelled") expect(r.last_error_code).toBe("HOOKLINE_SUPERSEDED");
    }
    expect(rows.filter((r) => r.status === "cancelled").length).toBeGreaterThan(0);
    const kept = await nonZeroCells(db, t);
    await rebuildStatsRollup(db, { tablePrefix: prefix });
    expect(await nonZeroCells(db, t)).toEqual(kept);
  });

  it("a supersede waits for a claim that holds a stale row: the row, claimed meanwhile, is in flight and kept", async () => {
    const { store, connect, t } = env();
    const start = Date.now() - 60_000;
    const stale = eventAt(start, 0, "s1");
    await store.insertEvents([stale]);
    const id = stale.deliveries[0]!.id;
    const claimer = connect();
    const trx = await claimer.transaction();
    try {
      // What a claim does to the row, left uncommitted while the insert runs.
      await trx(t.deliveries)
        .where("id", id)
        .update({ status: "sending", attempts: 1, claim_token: "clm_x" });
      const inserted = store.insertEvents([eventAt(start, 5, "s1", { supersede: true })]);
      await new Promise((r) => setTimeout(r, 100));
      await trx.commit();
      expect((await inserted).superseded).toBeUndefined();
    } finally {
      if (!trx.isCompleted()) await trx.rollback();
    }
    expect((await store.getDelivery(id))?.status).toBe("sending");
  });
});
