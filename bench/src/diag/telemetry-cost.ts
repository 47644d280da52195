import { createHookline, memoryStore, type Transport } from "@hookline/core";
import { buyerEvents } from "@hookline/events-buyer";
import { context, ROOT_CONTEXT } from "@opentelemetry/api";
import { intFlag, parseFlags, UsageError } from "../lib/args.js";
import type { Diag } from "../lib/diag.js";
import { noopExportSdk } from "../lib/otel-sdk.js";
import { buyerPayload, EVENT_CODE, endpointFor } from "../lib/payload.js";
import { median } from "../lib/stats.js";
import { inLanes, until } from "../lib/wait.js";
import { endToEnd } from "../scenarios/end-to-end.js";
import { type TelemetryVariant, VARIANTS } from "../scenarios/telemetry-overhead.js";

const USAGE = `usage: npm run bench:diag -- telemetry-cost [--on=memory|mariadb] [--events=N] [--runs=N] [--only=name,...] [--als]
  --on        memory (default): an in-memory store and a transport that succeeds at once, so
              only Hookline's own work is measured; mariadb: scenario 10's run (scenario 3's
              durable run on MariaDB, the loopback receiver)
  --events    events per run (default 20000 in memory, 10000 on MariaDB)
  --runs      runs of each variant, in rotating order (default 5)
  --only      variants to run (default all: ${VARIANTS.map((v) => v.name).join(", ")})
  --als       with an SDK registered, make one context.with() call before each run, as a server
              whose requests are traced does: AsyncLocalStorage's promise hook is then on in both
              SDK variants (it is turned on by the first context.with() and stays on), so their
              difference leaves out what that hook costs the whole process
The bench process's CPU per delivery for each telemetry variant of scenario 10. Under a profiler:
  npx tsc -b && node --cpu-prof --cpu-prof-dir=/tmp/prof bench/dist/run-diag.js telemetry-cost --runs=1 --only=sdk`;

// Answers at once, as a receiver answering 200 would, without sockets.
const instantTransport: Transport = {
  name: "instant",
  send: async () => ({ kind: "success", status: 200, durationMs: 0 }),
};

/** CPU µs per delivery of this process, from the first emit until the last success. */
async function inMemory(v: TelemetryVariant, n: number): Promise<number> {
  const hooks = createHookline({
    plugins: [buyerEvents()],
    endpoints: endpointFor("http://127.0.0.1:9/hook"),
    store: memoryStore(),
    transport: instantTransport,
    mode: "durable",
    ...(v.hooks ? {} : { telemetry: false as const }),
  });
  await hooks.start();
  let succeeded = 0;
  hooks.on("delivery.succeeded", () => void succeeded++);
  const cpu0 = process.cpuUsage();
  await inLanes(n, 512, async (i) => void (await hooks.emit(EVENT_CODE, buyerPayload(i))));
  await until(() => succeeded >= n, { timeoutMs: 120_000, everyMs: 2, what: `${n} deliveries` });
  const cpu = process.cpuUsage(cpu0);
  await hooks.stop();
  return (cpu.user + cpu.system) / n;
}

async function onMariadb(v: TelemetryVariant, n: number): Promise<number> {
  const r = await endToEnd("mariadb", "durable", n, {
    key: `diag.${v.name}`,
    label: v.label,
    ...(v.hooks ? {} : { telemetry: false as const }),
  });
  if (!r.check.ok) throw new Error(`${v.name}: ${r.check.detail}`);
  return r.cpuUsPerDelivery;
}

interface RunOptions {
  readonly n: number;
  readonly als: boolean;
  readonly run: (v: TelemetryVariant, n: number) => Promise<number>;
}

/** One run of a variant; the SDK variants must have exported every span (and only those). */
async function runOnce(name: string, o: RunOptions): Promise<number> {
  const v = VARIANTS.find((x) => x.name === name);
  if (!v) throw new UsageError(`--only: no variant ${JSON.stringify(name)}\n${USAGE}`);
  const sdk = v.sdk ? noopExportSdk() : undefined;
  if (sdk && o.als) context.with(ROOT_CONTEXT, () => {});
  try {
    const us = await o.run(v, o.n);
    if (sdk) {
      const { spans } = await sdk.collect();
      const expected = v.hooks ? 2 * o.n : 0;
      if (spans !== expected) throw new Error(`${name}: ${spans}/${expected} spans exported`);
    }
    return us;
  } finally {
    await sdk?.close();
  }
}

/** The bench process's CPU per delivery with each telemetry variant, in memory or on MariaDB. */
export const telemetryCost: Diag = {
  name: "telemetry-cost",
  summary: "CPU per delivery of each telemetry variant (in memory: the hooks alone)",
  usage: USAGE,
  async run(argv) {
    const { values } = parseFlags(
      argv,
      {
        on: { type: "string" },
        events: { type: "string" },
        runs: { type: "string" },
        only: { type: "string" },
        als: { type: "boolean" },
      },
      USAGE,
    );
    const on = values.on ?? "memory";
    if (on !== "memory" && on !== "mariadb")
      throw new UsageError(`--on: expected memory or mariadb, got ${JSON.stringify(on)}\n${USAGE}`);
    const byDefault = on === "memory" ? 20_000 : 10_000;
    const n = intFlag(values.events, "events", byDefault, { min: 1, max: 10_000_000, usage: USAGE });
    const runs = intFlag(values.runs, "runs", 5, { min: 1, max: 1000, usage: USAGE });
    const names = values.only?.split(",") ?? VARIANTS.map((v) => v.name);
    const o: RunOptions = { n, als: values.als === true, run: on === "memory" ? inMemory : onMariadb };
    await runOnce(names[0] as string, { ...o, n: Math.min(n, 2000) }); // warm-up: JIT, connections
    const us = new Map<string, number[]>(names.map((name) => [name, []]));
    for (let r = 0; r < runs; r++) {
      const order = [...names.slice(r % names.length), ...names.slice(0, r % names.length)];
      for (const name of order) us.get(name)?.push(await runOnce(name, o));
    }
    for (const [name, xs] of us) {
      const list = xs.map((x) => x.toFixed(1)).join(" ");
      console.log(`${name.padEnd(8)} median ${median(xs).toFixed(1)} µs/delivery  (${list})`);
    }
  },
};
