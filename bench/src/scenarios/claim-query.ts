import { type DeliveryStore, type NewEvent, newId } from "@hookline/core";
import type { Knex } from "knex";
import type { DbName } from "../lib/db.js";
import { captureQueries, explain } from "../lib/explain.js";
import { bodyFor, buyerPayload, EVENT_CODE } from "../lib/payload.js";
import { type Check, type Figure, figure, type RoundResult, type Scenario } from "../lib/scenario.js";
import { percentile } from "../lib/stats.js";
import { withScenario } from "../lib/with-scenario.js";

/** The index the ordered claim's NOT EXISTS probe must use (store-knex migration 0008). */
const ORDER_INDEX = "dlv_subject_order_idx";
const DBS: readonly Exclude<DbName, "sqlite">[] = ["mariadb", "postgres"];
const sizes = (quick: boolean) => ({
  pending: quick ? 5_000 : 100_000,
  perSubject: 10,
  claimLimit: 100,
  samples: quick ? 10 : 40,
});

/**
 * How the pending rows lie in due order. `unordered`: no ordering (the baseline). `heads`: each
 * subject's rows spread over the log, so every subject's first row comes before any second one
 * and a claim takes the first rows it reads. `deep`: each subject's rows stored one after
 * another, so every row a claim may take is followed by perSubject - 1 it must read and step over.
 */
const LAYOUTS = ["unordered", "heads", "deep"] as const;
type Layout = (typeof LAYOUTS)[number];

/** `pending` due deliveries, `perSubject` per subject, laid out as `layout` says. */
async function insertPending(store: DeliveryStore, layout: Layout, pending: number, perSubject: number) {
  const subjects = pending / perSubject;
  const event = (i: number): NewEvent => {
    const subject = layout === "deep" ? Math.floor(i / perSubject) : i % subjects;
    return {
      id: newId("evt"),
      code: EVENT_CODE,
      subject: buyerPayload(subject).buyerId,
      body: bodyFor(subject),
      idempotencyKey: null,
      createdAt: new Date(),
      deliveries: [{ id: newId("dlv"), endpointId: "bench", ordered: layout !== "unordered" }],
    };
  };
  // One batch at a time: each subject's rows keep their (created time, id) order.
  const batch = 1_000;
  for (let from = 0; from < pending; from += batch)
    await store.insertEvents(
      Array.from({ length: Math.min(batch, pending - from) }, (_, k) => event(from + k)),
    );
}

/** The plan of each SELECT, as text, and whether any of them names the ordering index. */
async function plans(
  db: Knex,
  dbName: DbName,
  queries: readonly { sql: string; bindings: readonly unknown[] }[],
): Promise<{ text: string[]; usesOrderIndex: boolean }> {
  if (dbName === "mariadb") {
    const rows = await explain(db, "claim", queries);
    const text = rows.map((r) => `${r.table} ${r.type} key=${r.key ?? "-"} rows=${r.rows ?? "-"} ${r.extra}`);
    return { text, usesOrderIndex: rows.some((r) => r.key?.endsWith(ORDER_INDEX) ?? false) };
  }
  const text: string[] = [];
  for (const q of queries.filter((x) => /^\s*select/i.test(x.sql))) {
    // knex reports PostgreSQL statements with $1…$n; raw() takes them back as ? in that order.
    const sql = q.sql.replace(/\$\d+/g, "?");
    const r = (await db.raw(`EXPLAIN ${sql}`, q.bindings as Knex.RawBinding[])) as {
      rows: { "QUERY PLAN": string }[];
    };
    text.push(...r.rows.map((row) => row["QUERY PLAN"]), "");
  }
  return { text, usesOrderIndex: text.some((line) => line.includes(ORDER_INDEX)) };
}

/** A statement as knex reports it in its `query` event. */
interface QueryEvent {
  readonly __knexQueryUid?: string;
  readonly sql: string;
  readonly bindings?: readonly unknown[];
}

/**
 * Whether `q` is the claim's due SELECT (store-knex write/claim.ts `candidates()`): pending rows
 * by `next_attempt_at <= now`, with the ordering probes, locked with `FOR UPDATE SKIP LOCKED`,
 * in due order. Not the expired-lease SELECT (status 'sending', `next_attempt_at < now`,
 * `lease_until`), not the claim's UPDATE (which also names both), not the read of the claimed rows'
 * bodies. knex binds the status as the statement's first parameter.
 */
function isDueSelect(q: QueryEvent): boolean {
  return (
    /^\s*select\b/i.test(q.sql) &&
    /next_attempt_at["`]?\s*<=/i.test(q.sql) &&
    /order by\s+["`]?next_attempt_at/i.test(q.sql) &&
    !/lease_until/i.test(q.sql) &&
    /for update skip locked/i.test(q.sql) &&
    q.bindings?.[0] === "pending"
  );
}

/**
 * Times the due SELECT as the store runs it, from knex's `query` event (just before the statement
 * goes to the driver) to its `query-response` (the rows back and processed), matched by
 * `__knexQueryUid`. `take()` hands back the durations recorded since the last take.
 */
function timeDueSelect(db: Knex): { take(): number[] } {
  const started = new Map<string, number>();
  let done: number[] = [];
  db.on("query", (q: QueryEvent) => {
    if (q.__knexQueryUid !== undefined && isDueSelect(q) && !started.has(q.__knexQueryUid))
      started.set(q.__knexQueryUid, performance.now());
  });
  db.on("query-response", (_rows: unknown, q: QueryEvent) => {
    const t = q.__knexQueryUid === undefined ? undefined : started.get(q.__knexQueryUid);
    if (t === undefined) return;
    started.delete(q.__knexQueryUid!);
    done.push(performance.now() - t);
  });
  db.on("query-error", (_err: unknown, q: QueryEvent) => {
    if (q.__knexQueryUid !== undefined) started.delete(q.__knexQueryUid);
  });
  return {
    take() {
      const out = done;
      done = [];
      return out;
    },
  };
}

/** Timed claims of `claimLimit` on fresh tables holding `pending` rows laid out as `layout`. */
async function claimOn(
  dbName: Exclude<DbName, "sqlite">,
  layout: Layout,
  quick: boolean,
  log: (m: string) => void,
): Promise<{ figures: Figure[]; plan: { text: string[]; usesOrderIndex: boolean } }> {
  const { pending, perSubject, claimLimit, samples } = sizes(quick);
  return withScenario({ db: dbName, tag: `cq${dbName[0]}${layout[0]}`, pool: 4 }, async (s) => {
    const db = s.knex();
    const store = await s.store({ knex: db, migrate: true });
    const t0 = performance.now();
    await insertPending(store, layout, pending, perSubject);
    log(`${dbName} ${layout}: ${pending} pending deliveries in ${Math.round(performance.now() - t0)} ms`);
    const table = `${s.target.prefix}deliveries`;
    await db.raw(dbName === "mariadb" ? `ANALYZE TABLE ${table}` : `ANALYZE ${table}`);
    const capture = captureQueries(db);
    const dueSelect = timeDueSelect(db);
    const claim = () =>
      store.claimDue({ limit: claimLimit, leaseMs: 60_000, workerId: "bench", endpointIds: ["bench"] });
    // Each claim is given back before the next, so every sample claims from the same rows.
    const timed = async (): Promise<{ claim: number; query: number }> => {
      dueSelect.take();
      const t = performance.now();
      const got = await claim();
      const ms = performance.now() - t;
      const query = dueSelect.take();
      if (got.length !== claimLimit) throw new Error(`claimDue took ${got.length}, expected ${claimLimit}`);
      if (query.length !== 1)
        throw new Error(`claimDue ran the due SELECT ${query.length} times, expected once`);
      await store.release(got.map((c) => ({ deliveryId: c.id, claimToken: c.claimToken })));
      return { claim: ms, query: query[0]! };
    };
    for (let i = 0; i < 3; i++) await timed();
    const ms: number[] = [];
    const queryMs: number[] = [];
    for (let i = 0; i < samples; i++) {
      const r = await timed();
      ms.push(r.claim);
      queryMs.push(r.query);
    }
    capture.take();
    await claim();
    // The candidate reads (the due range and its probes), not the read of the claimed rows.
    const plan = await plans(
      db,
      dbName,
      capture.take().filter((q) => q.sql.includes("next_attempt_at")),
    );
    const k = `claim.${dbName}.${layout}`;
    const what = `${dbName}, ${layout}: claimDue transaction (both SELECTs, UPDATE, body read, commit) of ${claimLimit} among ${pending} pending`;
    const query = `${dbName}, ${layout}: the claim query (due SELECT with ordering probes) among ${pending} pending`;
    return {
      figures: [
        figure(`${k}.p50`, `${what}: p50`, "ms", percentile(ms, 50)),
        figure(`${k}.p95`, `${what}: p95`, "ms", percentile(ms, 95)),
        figure(`${k}.max`, `${what}: max`, "ms", Math.max(...ms)),
        figure(`${k}.query.p50`, `${query}: p50`, "ms", percentile(queryMs, 50)),
        figure(`${k}.query.p95`, `${query}: p95`, "ms", percentile(queryMs, 95)),
      ],
      plan,
    };
  });
}

/**
 * 12. The claim query with ordering by subject: 100,000 due deliveries, 10 per subject, claimed
 * 100 at a time and given back after each timed claim, on MariaDB and PostgreSQL, in three
 * layouts (unordered, ordered with the heads first, ordered with 10-deep lines); the EXPLAIN of
 * the ordered claim must show the ordering index. Each timed claim gives two figures: the whole
 * claimDue transaction, and the claim query (the due SELECT with the ordering probes) within it.
 */
export const claimQuery: Scenario = {
  id: "12",
  title: "Claim query with 100,000 pending deliveries, ordered by subject (MariaDB, PostgreSQL)",
  settings: (quick) => ({
    ...sizes(quick),
    dbs: DBS,
    layouts:
      "unordered; heads (subject i % 10,000: every first row before any second one); deep (each subject's 10 rows one after another)",
    timing:
      "store.claimDue through its own pool (4 connections), after 3 warm-up claims; release() untimed. " +
      "claim.<db>.<layout>.p50/.p95/.max: the whole claimDue transaction (expired-lease SELECT, due SELECT " +
      "with the ordering probes, UPDATE of the claimed rows, SELECT of their bodies, COMMIT), timed around " +
      "the call. claim.<db>.<layout>.query.p50/.p95: the due SELECT alone (the claim query EXPLAINed below), " +
      "as run inside each timed claim, from knex's query event to its query-response",
  }),
  async round(ctx): Promise<RoundResult> {
    const figures: Figure[] = [];
    const checks: Check[] = [];
    const info: Record<string, unknown> = {};
    for (const dbName of DBS) {
      for (const layout of LAYOUTS) {
        const r = await claimOn(dbName, layout, ctx.quick, ctx.log);
        figures.push(...r.figures);
        ctx.log(
          `${dbName} ${layout}: claimDue p95 ${r.figures[1]!.value.toFixed(2)} ms, ` +
            `claim query p95 ${r.figures[4]!.value.toFixed(2)} ms`,
        );
        if (layout === "unordered") continue;
        info[`claim.${dbName}.${layout}.plan`] = r.plan.text;
        checks.push({
          name: `${dbName}, ${layout}: the ordered claim probes earlier siblings through ${ORDER_INDEX} (EXPLAIN)`,
          ok: r.plan.usesOrderIndex,
          detail: r.plan.usesOrderIndex
            ? `${ORDER_INDEX} in the plan`
            : `not in the plan: ${r.plan.text.join(" | ")}`,
        });
      }
    }
    return { figures, checks, info };
  },
};
