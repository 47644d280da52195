import type { DispatchMode } from "@hookline/core";
import { knexStore } from "@hookline/store-knex";
import { openTarget } from "../lib/db.js";
import { benchHookline } from "../lib/hookline.js";
import { buyerPayload, EVENT_CODE } from "../lib/payload.js";
import { startReceiver } from "../lib/receiver.js";
import { inLanes, sleep } from "../lib/wait.js";

// Diagnostic: scenario 3's run on MariaDB with a timeline every 50 ms (emits accepted, deliveries
// logged, event-loop lag and utilisation), to see which phase limits throughput. Round 1 warms the JIT and is
// not printed. Usage: node bench/dist/diag/e2e-timeline.js [events=10000] [durable|parallel] [lanes=512]
const n = Number(process.argv[2] ?? 10_000);
const mode = (process.argv[3] ?? "durable") as DispatchMode;
const lanes = Number(process.argv[4] ?? 512);
const EVERY_MS = 50;

for (const round of [1, 2]) {
  const target = openTarget("mariadb", "tl");
  const receiver = await startReceiver();
  const store = knexStore({ knex: target.config, tablePrefix: target.prefix });
  const hooks = benchHookline({ target, url: receiver.url, mode, store });
  try {
    await hooks.start();
    let logged = 0;
    let accepted = 0;
    hooks.on("delivery.succeeded", () => void logged++);
    const lines: string[] = [];
    const t0 = performance.now();
    let last = t0;
    let elu = performance.eventLoopUtilization();
    const timer = setInterval(() => {
      const now = performance.now();
      const lag = Math.max(0, Math.round(now - last - EVERY_MS));
      last = now;
      // Share of the interval the main thread was busy: 100 % means it, not I/O, set the pace.
      const busy = performance.eventLoopUtilization(elu).utilization;
      elu = performance.eventLoopUtilization();
      lines.push(
        `${String(Math.round(now - t0)).padStart(6)} ms  accepted ${accepted}  logged ${logged}  lag ${lag} ms  main thread ${Math.round(busy * 100)} % busy`,
      );
    }, EVERY_MS);
    await inLanes(n, lanes, async (i) => {
      await hooks.emit(EVENT_CODE, buyerPayload(i));
      accepted++;
    });
    while (logged < n) await sleep(5);
    clearInterval(timer);
    const rate = Math.round((n * 1000) / (performance.now() - t0));
    console.log(`round ${round}: ${rate} deliveries/s`);
    if (round === 2) console.log(lines.join("\n"));
  } finally {
    await hooks.stop();
    await receiver.close();
    await target.cleanup();
  }
}
