import type { DeliveryStore } from "@hookline/core";
import { makeEvent } from "@hookline/core/testing";
import type { Knex } from "knex";
import { afterEach, beforeEach, expect, it } from "vitest";
import { useTestEnv } from "../__fixtures__/test-env.js";
import { testHooks } from "../__fixtures__/test-hooks.js";
import { knexStore } from "../knex-store.js";
import { describeTargets, testTargets } from "../testing/databases.js";

const targets = await testTargets();

describeTargets(targets, "transactionOutcome and the outbox", (target) => {
  const env = useTestEnv(target, "to");
  let db: Knex;
  let store: DeliveryStore;
  beforeEach(() => {
    // The caller's transactions and the store share one pool (on SQLite, one connection).
    db = env().connect();
    store = knexStore({ knex: db, tablePrefix: env().prefix });
  });

  const outcomeOf = async (body: (trx: Knex.Transaction) => Promise<unknown>) => {
    let outcome: Promise<string> | undefined;
    await db
      .transaction(async (trx) => {
        await store.insertEvents([makeEvent()], { trx });
        outcome = store.transactionOutcome?.(trx);
        return body(trx);
      })
      .catch(() => {});
    return outcome;
  };

  it("reports a commit, and a rollback with or without an error", async () => {
    expect(await outcomeOf(async () => "done")).toBe("committed");
    expect(await outcomeOf(async () => undefined)).toBe("committed");
    expect(await outcomeOf(async () => Promise.reject(new Error("no")))).toBe("rolled-back");
    // knex resolves these two like a commit: only the ROLLBACK statement tells them apart.
    expect(await outcomeOf(async () => Promise.reject(undefined))).toBe("rolled-back");
    expect(await outcomeOf(async (trx) => trx.rollback())).toBe("rolled-back");
    const manual = await db.transaction();
    const outcome = store.transactionOutcome?.(manual);
    await manual.rollback();
    expect(await outcome).toBe("rolled-back");
  });

  it("follows a savepoint to its outermost transaction", async () => {
    const viaSavepoint = async (end: (outer: Knex.Transaction) => Promise<unknown>) => {
      let outcome: Promise<string> | undefined;
      await db
        .transaction(async (outer) => {
          await outer.transaction(async (sp) => {
            await store.insertEvents([makeEvent()], { trx: sp });
            outcome = store.transactionOutcome?.(sp);
          });
          // The savepoint is released here; only the outer transaction's end decides.
          return end(outer);
        })
        .catch(() => {});
      return outcome;
    };
    expect(await viaSavepoint(async () => "done")).toBe("committed");
    expect(await viaSavepoint(async (outer) => outer.rollback())).toBe("rolled-back");
    expect(await viaSavepoint(async () => Promise.reject(new Error("no")))).toBe("rolled-back");
  });

  it("is undefined for anything that is not a knex transaction", () => {
    for (const v of [undefined, {}, "trx", db]) expect(store.transactionOutcome?.(v)).toBeUndefined();
  });
});

describeTargets(targets, "emit({ trx }) through createHookline", (target) => {
  const env = useTestEnv(target, "ob");
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
    stop = undefined;
  });

  it("a commit is sent at once (the worker is woken, not polled); a rollback leaves nothing", async () => {
    const db = env().connect();
    // Only a nudge can send within the test: the poll is a minute away.
    const { hooks, receiver } = testHooks(knexStore({ knex: db, tablePrefix: env().prefix }), {
      pollIntervalMs: 60_000,
    });
    await hooks.start();
    stop = () => hooks.stop();
    // The worker's first claim found nothing; from here on it sleeps until nudged.
    await new Promise((r) => setTimeout(r, 100));
    let rolledBack = "";
    await db
      .transaction(async (trx) => {
        rolledBack = (await hooks.emit("ping", { n: 1 }, { trx })).eventId;
        throw new Error("the business write failed");
      })
      .catch(() => {});
    const manual = await db.transaction();
    const alsoRolledBack = (await hooks.emit("ping", { n: 2 }, { trx: manual })).eventId;
    await manual.rollback();
    const committed = await db.transaction(
      async (trx) => (await hooks.emit("ping", { n: 3 }, { trx })).eventId,
    );
    const [req] = await receiver.waitFor(1, { timeoutMs: 5000 });
    expect(req!.headers["webhook-id"]).toBe(committed);
    expect(await hooks.store.getEvent(rolledBack)).toBeNull();
    expect(await hooks.store.getEvent(alsoRolledBack)).toBeNull();
    await new Promise((r) => setTimeout(r, 200));
    expect(receiver.requests).toHaveLength(1);
  });
});
