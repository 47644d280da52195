import type { DispatchMode } from "@hookline/core";
import { checkLogWith, rollupDetail } from "../lib/log-check.js";
import { buyerPayload, EVENT_CODE } from "../lib/payload.js";
import { type Check, type Figure, figure, type Scenario } from "../lib/scenario.js";
import { percentile } from "../lib/stats.js";
import { sleep, until } from "../lib/wait.js";
import { withScenario } from "../lib/with-scenario.js";

const RATE = 200;
const WARMUP = 50;
const sizes = (quick: boolean) => ({ ratePerSec: RATE, seconds: quick ? 1 : 20, warmupEmits: WARMUP });
const MODES: readonly DispatchMode[] = ["durable", "parallel"];

/**
 * Open-loop schedule: event i is due at t0 + i/rate whatever earlier emits are doing, so a slow
 * emit shows up in the latencies instead of silently lowering the rate.
 */
async function steady(count: number, emit: (i: number) => Promise<unknown>): Promise<number[]> {
  const latencies: number[] = [];
  const pending: Promise<void>[] = [];
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const wait = t0 + (i * 1000) / RATE - performance.now();
    if (wait > 1) await sleep(wait);
    const start = performance.now();
    pending.push(emit(i).then(() => void latencies.push(performance.now() - start)));
  }
  await Promise.all(pending);
  return latencies;
}

async function measure(mode: DispatchMode, seconds: number): Promise<{ figures: Figure[]; check: Check }> {
  return withScenario({ db: "mariadb", tag: `em${mode[0]}` }, async (s) => {
    const receiver = await s.receiver();
    const hooks = s.hookline({ url: receiver.url, mode });
    await hooks.start();
    let succeeded = 0;
    hooks.on("delivery.succeeded", () => void succeeded++);
    // Warm-up opens the pool's connections so the first measured emits do not pay for them.
    for (let i = 0; i < WARMUP; i++) await hooks.emit(EVENT_CODE, buyerPayload(i));
    const count = RATE * seconds;
    const lat = await steady(count, (i) => hooks.emit(EVENT_CODE, buyerPayload(WARMUP + i)));
    const total = WARMUP + count;
    await until(() => succeeded >= total, { timeoutMs: 60_000, what: `${total} deliveries to succeed` });
    await hooks.stop();
    const log = await checkLogWith(s.target.config, s.target.prefix, total);
    const k = `emit.mariadb.${mode}`;
    return {
      figures: [
        figure(`${k}.p50`, `${mode}: emit p50 at ${RATE}/s`, "ms", percentile(lat, 50)),
        figure(`${k}.p99`, `${mode}: emit p99 at ${RATE}/s`, "ms", percentile(lat, 99)),
        figure(`${k}.max`, `${mode}: emit max at ${RATE}/s`, "ms", Math.max(...lat)),
      ],
      check: {
        name: `${mode}: every emitted event delivered and logged`,
        ok: log.ok,
        detail: `${log.succeededWithAttempt}/${total} succeeded with attempt; ${rollupDetail(log)}`,
      },
    };
  });
}

/** 4. emit() latency at a steady 200 events/s: durable resolves once the insert has committed. */
export const emitLatency: Scenario = {
  id: "4",
  title: "emit latency at 200 events/s (MariaDB)",
  settings: (quick) => ({
    ...sizes(quick),
    modes: MODES,
    measured: "emit() call to resolve; durable = committed",
  }),
  async round(ctx) {
    const figures: Figure[] = [];
    const checks: Check[] = [];
    for (const mode of MODES) {
      const r = await measure(mode, sizes(ctx.quick).seconds);
      figures.push(...r.figures);
      checks.push(r.check);
    }
    return { figures, checks };
  },
};
