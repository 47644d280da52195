import type { EndpointConfig } from "@hookline/core";
import { startHttpReceiver, TEST_SECRET, type TestReceiver, until } from "@hookline/core/testing";
import { describeTargets, sqliteFile, testTargets } from "@hookline/store-knex/testing";
import knexFactory, { type Knex } from "knex";
import { describe, expect, it } from "vitest";
import { deliveryRows, groupBy, startWorkers, testEmitter } from "./control-harness.js";
import { statusCounts, useProcessEnv } from "./harness.js";

/** One request as the receiver answered it, in order of arrival. */
interface Receipt {
  readonly id: string;
  readonly subject: string;
  readonly seq: number;
  readonly ok: boolean;
}

/**
 * The receiver of the ordering runs: a random ~30 % of first tries (first request seen for a
 * webhook-id) answer 500, every later try 200. Each receipt names the event's subject and its
 * place in the subject's emit order (add_credits' topUpAmount).
 */
function flakyFirstTries(receiver: TestReceiver, path: string): Receipt[] {
  const receipts: Receipt[] = [];
  const seen = new Set<string>();
  receiver.on(path, (req) => {
    const id = req.headers["webhook-id"]!;
    const ok = seen.has(id) || Math.random() >= 0.3;
    seen.add(id);
    const body = JSON.parse(req.body) as { buyerId: string; topUpAmount: number };
    receipts.push({ id, subject: body.buyerId, seq: body.topUpAmount, ok });
    return { status: ok ? 200 : 500 };
  });
  return receipts;
}

const orderedEndpoint = (url: string): EndpointConfig => ({
  id: "ord",
  url,
  events: "*",
  secret: TEST_SECRET,
  ordering: "subject",
  retrySchedule: [100, 100, 100, 100, 100, 100, 100, 100],
  // Random failures must not open a circuit: this run is about order alone.
  circuitBreaker: false,
});

/**
 * Each subject's events emitted one after another (each emit awaited before the next), the
 * subjects concurrently; event k of a subject carries topUpAmount k.
 */
async function emitPerSubject(
  emit: (payload: {
    buyerId: string;
    buyerName: string;
    postCodeList: string[];
    topUpAmount: number;
  }) => Promise<unknown>,
  subjects: number,
  perSubject: number,
): Promise<void> {
  await Promise.all(
    Array.from({ length: subjects }, async (_, s) => {
      for (let k = 1; k <= perSubject; k++)
        await emit({ buyerId: `s-${s}`, buyerName: "test", postCodeList: ["AB"], topUpAmount: k });
    }),
  );
}

/**
 * Per subject: the successful receipts are exactly 1…perSubject, and no event's first receipt
 * comes before the success of the event emitted before it. Returns every violation found.
 */
function orderViolations(receipts: readonly Receipt[], subjects: number, perSubject: number): string[] {
  const out: string[] = [];
  const bySubject = groupBy(
    receipts.map((r, at) => ({ ...r, at })),
    (r) => r.subject,
  );
  for (let s = 0; s < subjects; s++) {
    const got = bySubject.get(`s-${s}`) ?? [];
    const successes = got.filter((r) => r.ok).map((r) => r.seq);
    const expected = Array.from({ length: perSubject }, (_, i) => i + 1);
    if (successes.join() !== expected.join())
      out.push(`s-${s}: successes in order ${successes.join(",")} (expected ${expected.join(",")})`);
    for (let k = 2; k <= perSubject; k++) {
      const first = got.find((r) => r.seq === k);
      const before = got.find((r) => r.seq === k - 1 && r.ok);
      if (first && (!before || first.at < before.at))
        out.push(
          `s-${s}: event ${k} first arrived (#${first.at}) before event ${k - 1} succeeded (#${before?.at ?? "never"})`,
        );
    }
  }
  return out;
}

const SUBJECTS = 200;
const PER_SUBJECT = 5;
const servers = (await testTargets()).filter((t) => t.name !== "sqlite");

describeTargets(servers, "ordering by subject across worker processes", (target) => {
  const env = useProcessEnv("o", target);

  it("200 subjects × 5 sequential emits, 3 workers, ~30 % of first tries failing: each subject succeeds in emit order", async () => {
    const { receiver, tables, prefix, procs } = env;
    const receipts = flakyFirstTries(receiver, "/ord");
    const endpoints = [orderedEndpoint(receiver.url("/ord"))];
    await startWorkers(procs, 3, { knex: target.config(), prefix, endpoints });
    // The test process emits (and sends each first attempt itself when it may); the workers
    // retry and send what the store held back.
    const emitter = testEmitter({ knex: target.config(), prefix, endpoints });
    await emitter.start();
    try {
      await emitPerSubject((p) => emitter.emit("add_credits", p), SUBJECTS, PER_SUBJECT);
      await until(async () => (await statusCounts(tables.db, prefix)).succeeded === SUBJECTS * PER_SUBJECT, {
        timeoutMs: 120_000,
        everyMs: 200,
        what: `${SUBJECTS * PER_SUBJECT} succeeded deliveries`,
      });
    } finally {
      await emitter.stop();
    }
    expect(await statusCounts(tables.db, prefix)).toEqual({ succeeded: SUBJECTS * PER_SUBJECT });
    const failedFirstTries = receipts.filter((r) => !r.ok).length;
    // Enough failures that an unordered delivery would have overtaken many times.
    expect(failedFirstTries).toBeGreaterThan(SUBJECTS * PER_SUBJECT * 0.2);
    expect(orderViolations(receipts, SUBJECTS, PER_SUBJECT).slice(0, 20)).toEqual([]);
    // Every delivery is ordered (it has a subject) and each one's attempts match its receipts.
    const rows = await deliveryRows(tables.db, prefix);
    const perId = groupBy(receipts, (r) => r.id);
    for (const row of rows) expect(row.attempts).toBe(perId.get(row.eventId)?.length);
  }, 180_000);
});

describe("ordering by subject in one process [sqlite]", () => {
  it("50 subjects × 5 sequential emits through one instance with its worker: each subject succeeds in emit order", async () => {
    const file = sqliteFile();
    const receiver = await startHttpReceiver();
    const prefix = "o_";
    const db: Knex = knexFactory(file.config());
    const hooks = testEmitter({
      knex: file.config(),
      prefix,
      endpoints: [orderedEndpoint(receiver.url("/ord"))],
      worker: { enabled: true },
      migrate: true,
    });
    try {
      const receipts = flakyFirstTries(receiver, "/ord");
      await hooks.start();
      await emitPerSubject((p) => hooks.emit("add_credits", p), 50, PER_SUBJECT);
      await until(async () => (await statusCounts(db, prefix)).succeeded === 50 * PER_SUBJECT, {
        timeoutMs: 60_000,
        everyMs: 100,
        what: "250 succeeded deliveries",
      });
      expect(receipts.some((r) => !r.ok)).toBe(true);
      expect(orderViolations(receipts, 50, PER_SUBJECT).slice(0, 20)).toEqual([]);
    } finally {
      await hooks.stop();
      await db.destroy();
      await receiver.close();
      file.cleanup();
    }
  }, 90_000);
});
