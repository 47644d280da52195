import { createHookline, memoryStore, type Transport } from "@hookline/core";
import { buyerEvents } from "@hookline/events-buyer";
import { context, ROOT_CONTEXT } from "@opentelemetry/api";
import { intFlag, parseFlags, UsageError } from "../lib/args.js";
import type { Diag } from "../lib/diag.js";
import { noopExportSdk } from "../lib/otel-sdk.js";
import { buyerPayload, EVENT_CODE, endpointFor } from "../lib/payload.js";
import { median } from "../lib/stats.js";
import { inLanes, until } from "../lib/wait.js";
import { VARIANTS } from "../scenarios/telemetry-overhead.js";

const USAGE = `usage: npm run bench:diag -- telemetry-cost [--events=N] [--runs=N] [--only=name,...] [--als]
  --events    events per run (default 20000)
  --runs      runs of each variant, in rotating order (default 5)
  --only      variants to run (default all: ${VARIANTS.map((v) => v.name).join(", ")})
  --als       with an SDK registered, make one context.with() call before each run, as any
              instrumented server does: AsyncLocalStorage's promise hook is then on in both
              SDK variants, and their difference leaves it out
Hookline's own CPU per delivery for each telemetry variant of scenario 10, without the database
and the network: an in-memory store and a transport that succeeds at once. Under a profiler:
  npx tsc -b && node --cpu-prof --cpu-prof-dir=/tmp/prof bench/dist/run-diag.js telemetry-cost --runs=1 --only=sdk`;

// Answers at once, as a receiver answering 200 would, without sockets.
const instantTransport: Transport = {
  name: "instant",
  send: async () => ({ kind: "success", status: 200, durationMs: 0 }),
};

/** One run: CPU µs per delivery of this process from the first emit until the last success. */
async function runOnce(name: string, n: number, als: boolean): Promise<number> {
  const v = VARIANTS.find((x) => x.name === name);
  if (!v) throw new UsageError(`--only: no variant ${JSON.stringify(name)}\n${USAGE}`);
  const sdk = v.sdk ? noopExportSdk() : undefined;
  // AsyncLocalStorage turns its promise hook on at its first run(), and keeps it on until disabled.
  if (sdk && als) context.with(ROOT_CONTEXT, () => {});
  try {
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
    if (sdk) {
      const { spans } = await sdk.collect();
      const expected = v.hooks ? 2 * n : 0;
      if (spans !== expected) throw new Error(`${name}: ${spans}/${expected} spans exported`);
    }
    return (cpu.user + cpu.system) / n;
  } finally {
    await sdk?.close();
  }
}

/** Hookline's CPU per delivery with each telemetry variant, database and network left out. */
export const telemetryCost: Diag = {
  name: "telemetry-cost",
  summary: "CPU per delivery of each telemetry variant, in memory (for a profile of the hooks)",
  usage: USAGE,
  async run(argv) {
    const { values } = parseFlags(
      argv,
      {
        events: { type: "string" },
        runs: { type: "string" },
        only: { type: "string" },
        als: { type: "boolean" },
      },
      USAGE,
    );
    const n = intFlag(values.events, "events", 20_000, { min: 1, max: 10_000_000, usage: USAGE });
    const runs = intFlag(values.runs, "runs", 5, { min: 1, max: 1000, usage: USAGE });
    const als = values.als === true;
    const names = values.only?.split(",") ?? VARIANTS.map((v) => v.name);
    const us = new Map<string, number[]>(names.map((name) => [name, []]));
    await runOnce(names[0] as string, Math.min(n, 2000), als); // warm-up: JIT and module loading
    for (let r = 0; r < runs; r++) {
      const order = [...names.slice(r % names.length), ...names.slice(0, r % names.length)];
      for (const name of order) us.get(name)?.push(await runOnce(name, n, als));
    }
    for (const [name, xs] of us) {
      const list = xs.map((x) => x.toFixed(1)).join(" ");
      console.log(`${name.padEnd(8)} median ${median(xs).toFixed(1)} µs/delivery  (${list})`);
    }
  },
};
