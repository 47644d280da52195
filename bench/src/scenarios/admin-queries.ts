import type { DeliveryStatus, DeliveryStore } from "@hookline/core";
import { captureQueries, explain, type PlanRow } from "../lib/explain.js";
import { type Figure, figure, type Scenario } from "../lib/scenario.js";
import { ensureSeed, type SeedInfo } from "../lib/seed.js";
import { SPAN_MS } from "../lib/seed-sql.js";
import { percentile } from "../lib/stats.js";
import { withScenario } from "../lib/with-scenario.js";

const sizes = (quick: boolean) => ({
  rows: quick ? 20_000 : 1_000_000,
  prefix: quick ? "bench20k_" : "bench1m_",
  // Every query, stats and timeline included, takes this many: nearest-rank p95 of n samples is
  // the ceil(0.95 n)-th, so with the 15 stats used to take it was their maximum. Each query also
  // reports its maximum beside it.
  samples: quick ? 10 : 40,
  pageLimit: 50,
});
const STATUSES: DeliveryStatus[] = ["failed", "pending", "succeeded", "cancelled"];
const CODES = ["user_credits_zero", "post_code_change", "add_credits"];
const DAY = 24 * 3_600_000;

/** A small deterministic generator: every run asks for the same subjects and ids. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
    return s / 4_294_967_296;
  };
}

type Query = { key: string; label: string; run: (i: number) => Promise<unknown> };

function queries(store: DeliveryStore, seed: SeedInfo, rnd: () => number, limit: number): Query[] {
  const hex = (n: number) => n.toString(16).padStart(32, "0");
  const until = new Date(seed.baseMs + SPAN_MS);
  return [
    {
      key: "list-status",
      label: "list by status",
      run: (i) => store.listDeliveries({ status: [STATUSES[i % 4]!] }, { limit }),
    },
    {
      key: "list-code",
      label: "list by event code",
      run: (i) => store.listDeliveries({ eventCode: [CODES[i % 3]!] }, { limit }),
    },
    {
      key: "list-subject",
      label: "list by subject",
      run: () =>
        store.listDeliveries(
          { subject: `buyer-${String(Math.floor(rnd() ** 2 * 20_000)).padStart(7, "0")}` },
          { limit },
        ),
    },
    {
      key: "get",
      label: "one delivery with attempts",
      run: () => store.getDelivery(`dlv_${hex(1 + Math.floor(rnd() * seed.rows))}`),
    },
    {
      key: "stats",
      label: "stats over 24 h",
      run: () => store.stats({ since: new Date(until.getTime() - DAY), until }),
    },
    {
      key: "timeline",
      label: "timeline over 24 h, hourly",
      run: () => store.timeline({ since: new Date(until.getTime() - DAY), until }, 3_600_000),
    },
  ];
}

async function timeQuery(q: Query, samples: number): Promise<number[]> {
  for (let i = 0; i < 3; i++) await q.run(i); // warm the buffer pool for this access path
  const ms: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t = performance.now();
    await q.run(i);
    ms.push(performance.now() - t);
  }
  return ms;
}

let seed: SeedInfo | undefined;

/** 7. Admin queries through the store's methods on a seeded 1,000,000-delivery log. */
export const adminQueries: Scenario = {
  id: "7",
  title: "Admin queries at 1,000,000 deliveries (MariaDB)",
  settings: (quick) => ({
    ...sizes(quick),
    seed: "INSERT … SELECT from seq_1_to_N; reused across runs while complete (--reseed rebuilds)",
    distributions:
      "codes 25/35/40 %, 5 endpoints 40/25/20/10/5 %, 20k buyers (squared skew), status 93 % succeeded / 3 failed / 2.5 pending / 1.3 cancelled / 0.2 sending, 7 days, 1 attempt each",
    reusedSeed: seed ? !seed.built : null,
    seedSeconds: seed ? Math.round(seed.seconds) : null,
  }),
  async setup(ctx) {
    const s = sizes(ctx.quick);
    seed = await ensureSeed({ prefix: s.prefix, rows: s.rows, reseed: ctx.reseed, log: ctx.log });
    ctx.log(`${seed.built ? "built" : "reused"} seed ${s.prefix}* in ${Math.round(seed.seconds)} s`);
  },
  async round(ctx) {
    const s = sizes(ctx.quick);
    // The kept seed's tables, on a pool of 4; the store shares it, so EXPLAIN sees its queries.
    return withScenario({ db: "mariadb", prefix: s.prefix, pool: 4 }, async (t) => {
      const db = t.knex();
      const store = await t.store({ knex: db });
      const capture = captureQueries(db);
      const figures: Figure[] = [];
      const plans: PlanRow[] = [];
      for (const q of queries(store, seed!, lcg(ctx.round), s.pageLimit)) {
        capture.take();
        await q.run(0);
        plans.push(...(await explain(db, q.label, capture.take())));
        const ms = await timeQuery(q, s.samples);
        capture.take();
        figures.push(figure(`admin.${q.key}.p50`, `${q.label}: p50`, "ms", percentile(ms, 50)));
        figures.push(figure(`admin.${q.key}.p95`, `${q.label}: p95`, "ms", percentile(ms, 95)));
        figures.push(figure(`admin.${q.key}.max`, `${q.label}: max`, "ms", Math.max(...ms)));
      }
      const unindexed = plans.filter((p) => !p.usesIndex);
      return {
        figures,
        checks: [
          {
            name: "every admin query reads its tables through an index (EXPLAIN)",
            ok: unindexed.length === 0,
            detail: unindexed.length
              ? unindexed.map((p) => `${p.query}: ${p.table} ${p.type}`).join("; ")
              : `${plans.length} plan rows, all indexed`,
          },
        ],
        info: { plans },
      };
    });
  },
};
