import { type AttemptResult, type NewEvent, newId } from "@hookline/core";
import { intFlag, parseFlags } from "../lib/args.js";
import { insertDue } from "../lib/backlog.js";
import { type CpuGroup, cpuSnapshot, cpuSplit } from "../lib/cpu.js";
import { serverPids } from "../lib/db-pids.js";
import type { Diag } from "../lib/diag.js";
import { bodyFor } from "../lib/payload.js";
import { inLanes, sleep } from "../lib/wait.js";
import { withScenario } from "../lib/with-scenario.js";

const USAGE = `usage: npm run bench:diag -- store-costs [--rows=N] [--without=due,status_cover,…]
  --rows      deliveries per step (default 20000)
  --without   secondary indexes of the deliveries table to drop after migrating (names without
              the prefix and dlv_/_idx), to price what each costs the writes; the bench never
              runs without them`;

/**
 * MariaDB's figure includes 3 s after each step (purge and flushing run in the background) and
 * any other client's queries on the shared server, so run it on a quiet machine and read it as
 * an upper bound.
 */
const TAIL_MS = 3000;

async function measure(
  label: string,
  n: number,
  groups: Record<string, CpuGroup>,
  work: () => Promise<void>,
): Promise<void> {
  const c0 = cpuSnapshot(groups);
  const t0 = performance.now();
  await work();
  const runMs = performance.now() - t0;
  await sleep(TAIL_MS);
  const cpu = cpuSplit(c0, cpuSnapshot(groups), 2);
  const us = (pct: number | undefined) => Math.round(((pct ?? 0) * 10 * (performance.now() - t0)) / n);
  console.log(
    `${label.padEnd(34)} ${String(Math.round((n * 1000) / runMs)).padStart(6)}/s   MariaDB ${String(us(cpu.mariadb)).padStart(4)} µs/row   node ${String(us(cpu.node)).padStart(4)} µs/row   (others ${cpu.others} % of a core)`,
  );
}

const claimed = (i: number): NewEvent => ({
  id: newId("evt"),
  code: "user_credits_zero",
  subject: `b${i}`,
  body: bodyFor(i),
  idempotencyKey: null,
  createdAt: new Date(),
  deliveries: [
    { id: newId("dlv"), endpointId: "bench", claim: { token: newId("clm"), leaseMs: 60_000, workerId: "w" } },
  ],
});

const success = (e: NewEvent): AttemptResult => ({
  deliveryId: e.deliveries[0]!.id,
  endpointId: "bench",
  eventCode: e.code,
  claimToken: e.deliveries[0]!.claim!.token,
  attemptId: newId("att"),
  attempt: 1,
  startedAt: new Date(),
  request: {
    url: "http://127.0.0.1:1/hooks",
    headers: { "content-type": "application/json", "webhook-id": e.id },
  },
  outcome: {
    kind: "success",
    status: 200,
    headers: { "content-type": "application/json" },
    body: '{"ok":true}',
    durationMs: 3,
  },
  next: { status: "succeeded" },
  // As the pipeline passes it: the roll-up's cells are then computed in Node, with no read-back.
  deliveryCreatedAt: e.createdAt,
});

/** CPU per delivery of each store write on MariaDB, by batch size, with nothing else running here. */
export const storeCosts: Diag = {
  name: "store-costs",
  summary: "CPU per row of insertEvents, complete and claimDue on MariaDB (index costs)",
  usage: USAGE,
  async run(argv) {
    const { values } = parseFlags(argv, { rows: { type: "string" }, without: { type: "string" } }, USAGE);
    const N = intFlag(values.rows, "rows", 20_000, { min: 1, max: 10_000_000, usage: USAGE });
    const WITHOUT = (values.without ?? "").split(",").filter(Boolean);
    await withScenario({ db: "mariadb", tag: "sc" }, async (s) => {
      const store = await s.store({ migrate: true });
      const groups = { node: [process.pid], mariadb: serverPids("mariadb") };
      if (WITHOUT.length > 0) {
        const db = s.knex();
        const table = `${s.target.prefix}deliveries`;
        for (const name of WITHOUT)
          await db.raw("ALTER TABLE ?? DROP INDEX ??", [table, `${s.target.prefix}dlv_${name}_idx`]);
        console.log(`without ${WITHOUT.map((n) => `dlv_${n}_idx`).join(", ")}`);
      }
      for (const batch of [50, 200]) {
        const events = Array.from({ length: N }, (_, i) => claimed(i));
        await measure(`insertEvents, batches of 500`, N, groups, () =>
          inLanes(
            Math.ceil(N / 500),
            2,
            async (b) => void (await store.insertEvents(events.slice(b * 500, b * 500 + 500))),
          ),
        );
        const results = events.map(success);
        await measure(`complete, batches of ${batch}, 2 at once`, N, groups, () =>
          inLanes(
            Math.ceil(N / batch),
            2,
            async (b) => void (await store.complete(results.slice(b * batch, b * batch + batch))),
          ),
        );
      }
      for (const limit of [100, 2]) {
        await insertDue(store, N, { endpointId: "bench" });
        await sleep(TAIL_MS);
        await measure(`claimDue, limit ${limit}`, N, groups, async () => {
          let got = 0;
          for (let calls = 0; got < N && calls < 2 * N; calls++)
            got += (await store.claimDue({ limit, leaseMs: 60_000, workerId: "w", endpointIds: ["bench"] }))
              .length;
        });
      }
    });
  },
};
