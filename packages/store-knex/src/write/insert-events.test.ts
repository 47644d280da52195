import { makeEvent } from "@hookline/core/testing";
import { expect, it } from "vitest";
import { useTestEnv } from "../__fixtures__/test-env.js";
import { dialectOf } from "../dialect.js";
import { knexStore } from "../knex-store.js";
import { describeTargets, testTargets } from "../testing/databases.js";

const targets = await testTargets();

describeTargets(targets, "insertEvents", (target) => {
  const env = useTestEnv(target, "ins");

  it("round-trips emoji, RTL, combining marks, astral characters and an escaped NUL byte-exact", async () => {
    const { store } = env();
    const payload = { name: "Zoë 😀🇬🇧 مرحبا בעולם e\u0301 \u0000 \u{1F9EA} end", quote: '"\\', n: 1.5 };
    const body = JSON.stringify(payload);
    const ev = makeEvent({ body, subject: "קונה-😀" });
    await store.insertEvents([ev]);
    const got = await store.getEvent(ev.id);
    expect(Buffer.from(got!.body, "utf8").equals(Buffer.from(body, "utf8"))).toBe(true);
    expect(JSON.parse(got!.body)).toEqual(payload);
    expect(got!.subject).toBe("קונה-😀");
    const [claimed] = await store.claimDue({
      limit: 1,
      leaseMs: 60_000,
      workerId: "w",
      endpointIds: ["ep-a"],
    });
    expect(claimed!.body).toBe(body);
    expect((await store.listEvents({ subject: "קונה-😀" }, { limit: 5 })).items.map((e) => e.id)).toEqual([
      ev.id,
    ]);
  });

  it("keeps placeholder and escape look-alikes in values verbatim (?, ??, \\?, $1, quotes, backslashes)", async () => {
    const { store } = env();
    const tricky = `{"q":"what? ?? \\\\? $1 :name ' \\" \\\\ %s"}`;
    const ev = makeEvent({ body: tricky, subject: "who? ?? $1 ' \\" });
    await store.insertEvents([ev]);
    const got = await store.getEvent(ev.id);
    expect(got?.body).toBe(tricky);
    expect(got?.subject).toBe("who? ?? $1 ' \\");
  });

  it("never rewrites an event body: a raw NUL is stored as is, or rejected by PostgreSQL", async () => {
    const { store } = env();
    const ev = makeEvent({ body: '{"raw":"a\u0000b"}' });
    if (target.name === "postgres") {
      await expect(store.insertEvents([ev])).rejects.toMatchObject({
        code: "HOOKLINE_STORE_ERROR",
        message: "HOOKLINE_STORE_ERROR: inserting events",
      });
      expect(await store.getEvent(ev.id)).toBeNull();
    } else {
      await store.insertEvents([ev]);
      expect((await store.getEvent(ev.id))?.body).toBe('{"raw":"a\u0000b"}');
    }
  });

  it("inserts 1,200 events × 3 deliveries in one call (chunked) and completes 1,000 at once", async () => {
    const { store } = env();
    const batch = Array.from({ length: 1200 }, (_, i) =>
      makeEvent({ endpoints: ["e1", "e2", "e3"], idempotencyKey: `bulk-${i}` }),
    );
    expect((await store.insertEvents(batch)).duplicates.size).toBe(0);
    const claimed = await store.claimDue({
      limit: 1000,
      leaseMs: 60_000,
      workerId: "w",
      endpointIds: ["e1", "e2", "e3"],
    });
    expect(claimed).toHaveLength(1000);
    const report = await store.complete(
      claimed.map((c) => ({
        deliveryId: c.id,
        endpointId: c.endpointId,
        eventCode: c.eventCode,
        claimToken: c.claimToken,
        attemptId: c.id.replace("dlv_", "att_"),
        attempt: c.attempts,
        startedAt: new Date(),
        request: null,
        outcome: { kind: "success" as const, status: 200, durationMs: 5 },
        next: { status: "succeeded" as const },
      })),
    );
    expect(report.applied).toHaveLength(1000);
    expect(report.stale).toEqual([]);
    const succeeded = await store.listDeliveries({ status: ["succeeded"] }, { limit: 1000 });
    expect(succeeded.items).toHaveLength(1000);
    // New events reusing 1,100 of the keys are all reported as duplicates of the originals.
    const reuse = batch
      .slice(0, 1100)
      .map((e) => makeEvent({ endpoints: ["e1"], idempotencyKey: e.idempotencyKey }));
    const again = await store.insertEvents(reuse);
    expect(again.duplicates.size).toBe(1100);
    expect(again.duplicates.get(reuse[7]!.id)?.eventId).toBe(batch[7]!.id);
  });

  it("splits very large bodies over several statements (40 × 512 KiB, beyond one 16 MiB packet)", async () => {
    const { store } = env();
    const big = (i: number) => JSON.stringify({ i, pad: "é".repeat(256 * 1024) });
    const batch = Array.from({ length: 40 }, (_, i) => makeEvent({ body: big(i) }));
    await store.insertEvents(batch);
    const got = await store.getEvent(batch[39]!.id);
    expect(got?.body).toBe(big(39));
  });

  it("reports a key that a concurrent writer committed first as a duplicate (the unique-violation retry)", async () => {
    const { store, db } = env();
    const first = makeEvent({ idempotencyKey: "race-1", endpoints: ["a", "b"] });
    const second = makeEvent({ idempotencyKey: "race-1" });
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    let inserted!: () => void;
    const didInsert = new Promise<void>((r) => {
      inserted = r;
    });
    const holder = db.transaction(async (trx) => {
      await store.insertEvents([first], { trx });
      inserted();
      await held;
    });
    await didInsert;
    // The loser's lookup cannot see the uncommitted key; its insert waits on the key, then fails.
    const loser = store.insertEvents([second]);
    await new Promise((r) => setTimeout(r, 300));
    release();
    await holder;
    const report = await loser;
    expect(report.duplicates.get(second.id)).toEqual({
      eventId: first.id,
      deliveryIds: first.deliveries.map((d) => d.id).sort(),
    });
    expect(await store.getEvent(second.id)).toBeNull();
  });

  it("keeps exactly one event when 12 writers on 3 pools race on one key", async () => {
    const { open } = env();
    const stores = await Promise.all([1, 2, 3].map(() => open()));
    const events = Array.from({ length: 12 }, () => makeEvent({ idempotencyKey: "hot-key" }));
    const reports = await Promise.all(events.map((ev, i) => stores[i % 3]!.insertEvents([ev])));
    const winners = events.filter((ev, i) => !reports[i]!.duplicates.has(ev.id));
    expect(winners).toHaveLength(1);
    for (const r of reports)
      for (const dup of r.duplicates.values()) expect(dup.eventId).toBe(winners[0]!.id);
    const listed = await stores[0]!.listEvents({}, { limit: 50 });
    expect(listed.items.map((e) => e.id)).toEqual([winners[0]!.id]);
  });

  it("outbox: a rolled-back caller transaction leaves no event and nothing to claim", async () => {
    const { store, db } = env();
    const ev = makeEvent();
    await expect(
      db.transaction(async (trx) => {
        await store.insertEvents([ev], { trx });
        throw new Error("business write failed");
      }),
    ).rejects.toThrow("business write failed");
    expect(await store.getEvent(ev.id)).toBeNull();
    expect(await store.claimDue({ limit: 5, leaseMs: 60_000, workerId: "w", endpointIds: ["ep-a"] })).toEqual(
      [],
    );
  });

  it("outbox: a committed caller transaction is claimable, and invisible before the commit", async () => {
    const { store, db } = env();
    const ev = makeEvent({ endpoints: ["a", "b"] });
    const trx = await db.transaction();
    await store.insertEvents([ev], { trx });
    expect(await store.getEvent(ev.id)).toBeNull();
    expect(
      await store.claimDue({ limit: 5, leaseMs: 60_000, workerId: "w", endpointIds: ["a", "b"] }),
    ).toEqual([]);
    await trx.commit();
    const claimed = await store.claimDue({
      limit: 5,
      leaseMs: 60_000,
      workerId: "w",
      endpointIds: ["a", "b"],
    });
    expect(claimed.map((c) => c.id).sort()).toEqual(ev.deliveries.map((d) => d.id).sort());
  });

  // SQLite has a single writer: two open write transactions cannot exist, so neither can this race.
  it.skipIf(target.name === "sqlite")(
    `outbox: a lost key race inside the caller's transaction leaves that transaction usable${target.name === "sqlite" ? " [skipped: SQLite has a single writer, so the race cannot happen]" : ""}`,
    async () => {
      const { store, db, t, connect } = env();
      const winner = makeEvent({ idempotencyKey: "k-outbox" });
      const loser = makeEvent({ idempotencyKey: "k-outbox" });
      const other = makeEvent();
      const holder = await connect().transaction();
      await store.insertEvents([winner], { trx: holder });
      const caller = await db.transaction();
      try {
        const pending = store.insertEvents([loser, other], { trx: caller });
        await new Promise((r) => setTimeout(r, 300));
        await holder.commit();
        const report = await pending;
        expect(report.duplicates.get(loser.id)?.eventId).toBe(winner.id);
        await caller(t.endpoints).insert({ endpoint_id: "proof", disabled: false, updated_at: 1 });
        await caller.commit();
      } finally {
        if (!holder.isCompleted()) await holder.rollback();
        if (!caller.isCompleted()) await caller.rollback();
      }
      expect((await store.getEvent(other.id))?.id).toBe(other.id);
      expect(await store.getEvent(loser.id)).toBeNull();
      expect((await store.getEndpointStates()).map((s) => s.endpointId)).toEqual(["proof"]);
    },
  );

  it("outbox: re-inserting a stored event inside the caller's transaction leaves that transaction usable", async () => {
    const { store, db, t } = env();
    const stored = makeEvent();
    await store.insertEvents([stored]);
    const fresh = makeEvent();
    await db.transaction(async (trx) => {
      const report = await store.insertEvents([stored, fresh], { trx });
      expect(report.duplicates.size).toBe(0);
      // PostgreSQL aborts a transaction on an error outside a savepoint: this write proves it did not.
      await trx(t.endpoints).insert({ endpoint_id: "proof", disabled: false, updated_at: 1 });
    });
    expect((await store.getEvent(fresh.id))?.id).toBe(fresh.id);
    expect((await store.getEndpointStates()).map((s) => s.endpointId)).toEqual(["proof"]);
  });

  it("tells an idempotency-key clash from a primary-key clash, though knex's message holds the whole statement", async () => {
    const { store, db, t } = env();
    const dialect = dialectOf(db)!;
    await store.insertEvents([makeEvent({ idempotencyKey: "k-clash" })]);
    const [first] = (await db(t.events).select("id")) as { id: string }[];
    const row = (id: string, key: string) => ({
      id,
      code: "c",
      body: "{}",
      idempotency_key: key,
      created_at: 1,
    });
    const byId = await db(t.events)
      .insert(row(first!.id, "k-other"))
      .catch((e: unknown) => e);
    const byKey = await db(t.events)
      .insert(row("evt_other", "k-clash"))
      .catch((e: unknown) => e);
    expect(dialect.isUniqueViolation(byId)).toBe(true);
    expect(dialect.isUniqueViolation(byId, "idempotency_key")).toBe(false);
    expect(dialect.isUniqueViolation(byKey, "idempotency_key")).toBe(true);
  });

  it("outbox: store and caller share one knex instance (the recommended SQLite setup)", async () => {
    const { db, prefix } = env();
    const shared = knexStore({ knex: db, tablePrefix: prefix });
    const kept = makeEvent();
    const dropped = makeEvent();
    await db.transaction((trx) => shared.insertEvents([kept], { trx }));
    await db
      .transaction(async (trx) => {
        await shared.insertEvents([dropped], { trx });
        throw new Error("rollback");
      })
      .catch(() => undefined);
    const claimed = await shared.claimDue({
      limit: 5,
      leaseMs: 60_000,
      workerId: "w",
      endpointIds: ["ep-a"],
    });
    expect(claimed.map((c) => c.eventId)).toEqual([kept.id]);
    await shared.close();
    // The store did not create this instance, so close() leaves it usable.
    expect(await db(`${prefix}events`).count({ n: "*" })).toEqual([{ n: expect.anything() }]);
  });

  it("rejects something that is not a knex transaction as trx", async () => {
    const { store, db } = env();
    for (const trx of [{}, "trx", db])
      await expect(store.insertEvents([makeEvent()], { trx })).rejects.toMatchObject({
        code: "HOOKLINE_INVALID_OPTION",
      });
    const done = await db.transaction();
    await done.commit();
    await expect(store.insertEvents([makeEvent()], { trx: done })).rejects.toThrow(/already completed/);
  });
});
