import type { EndpointConfig } from "@hookline/core";
import { makeEvent, TEST_SECRET, until } from "@hookline/core/testing";
import { describeTargets, testTargets } from "@hookline/store-knex/testing";
import { expect, it } from "vitest";
import { startWorkers, tally } from "./control-harness.js";
import { creditsBody, statusCounts, useProcessEnv } from "./harness.js";

/**
 * The most arrivals in any window [x, x + 1000 ms) with x >= from: the busiest window starts at
 * an arrival, so only those starts are tried.
 */
function busiestSecond(times: readonly number[], from: number): number {
  let max = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    if (times[i]! < from) continue;
    j = Math.max(j, i);
    while (j < times.length && times[j]! < times[i]! + 1000) j++;
    max = Math.max(max, j - i);
  }
  return max;
}

const servers = (await testTargets()).filter((t) => t.name !== "sqlite");

describeTargets(servers, "rate limit and concurrency cap shared by worker processes", (target) => {
  const env = useProcessEnv("q", target);

  /** `n` due deliveries to endpoint `endpointId`, stored unclaimed as a worker finds them. */
  async function backlog(n: number, endpointId: string): Promise<void> {
    const events = Array.from({ length: n }, (_, i) =>
      makeEvent({ endpoints: [endpointId], subject: `b-${i}`, body: creditsBody(i) }),
    );
    for (let i = 0; i < n; i += 100) await env.tables.store.insertEvents(events.slice(i, i + 100));
  }

  it("20/s with a burst of 20 and 3 workers: after the first second no 1-s window at the receiver holds more than 20; all 200 arrive once, none failed", async () => {
    const { receiver, tables, prefix, procs } = env;
    const endpoints: EndpointConfig[] = [
      {
        id: "rl",
        url: receiver.url("/rl"),
        events: "*",
        secret: TEST_SECRET,
        rateLimit: { perSecond: 20, burst: 20 },
      },
    ];
    await backlog(200, "rl");
    await startWorkers(procs, 3, { knex: target.config(), prefix, endpoints });
    await until(async () => (await statusCounts(tables.db, prefix)).succeeded === 200, {
      timeoutMs: 60_000,
      everyMs: 100,
      what: "200 succeeded deliveries",
    });
    const times = receiver.requests.map((r) => r.receivedAt.getTime()).sort((a, b) => a - b);
    const t0 = times[0]!;
    const first = busiestSecond(times, t0);
    const later = busiestSecond(times, t0 + 1000);
    console.log(
      `rate limit: first second ${first}, busiest later second ${later}, 200 in ${times.at(-1)! - t0} ms`,
    );
    expect(first).toBeLessThanOrEqual(40); // the burst, then one second of refill
    expect(later).toBeLessThanOrEqual(20);
    expect(await statusCounts(tables.db, prefix)).toEqual({ succeeded: 200 });
    const sent = tally(receiver.requests.map((r) => r.headers["webhook-id"]!));
    expect(sent.size).toBe(200);
    expect([...sent.values()].every((n) => n === 1)).toBe(true);
    // Deliveries the bucket held back were never claimed, so no attempt was counted for them.
    const [attempts] = await tables.db(`${prefix}attempts`).count({ n: "*" });
    expect(Number(attempts!.n)).toBe(200);
  }, 90_000);

  it("maxConcurrent 3 and 3 workers against a slow receiver: never more than 3 requests open at once", async () => {
    const { receiver, tables, prefix, procs } = env;
    let open = 0;
    let most = 0;
    receiver.on("/mc", async () => {
      most = Math.max(most, ++open);
      await new Promise((r) => setTimeout(r, 100));
      open--;
      return { status: 200 };
    });
    const endpoints: EndpointConfig[] = [
      { id: "mc", url: receiver.url("/mc"), events: "*", secret: TEST_SECRET, maxConcurrent: 3 },
    ];
    await backlog(60, "mc");
    await startWorkers(procs, 3, { knex: target.config(), prefix, endpoints });
    await until(async () => (await statusCounts(tables.db, prefix)).succeeded === 60, {
      timeoutMs: 60_000,
      everyMs: 100,
      what: "60 succeeded deliveries",
    });
    expect(most).toBeLessThanOrEqual(3);
    expect(receiver.requests).toHaveLength(60);
    const [attempts] = await tables.db(`${prefix}attempts`).count({ n: "*" });
    expect(Number(attempts!.n)).toBe(60);
  }, 90_000);
});
