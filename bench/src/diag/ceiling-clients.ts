import { fetch, request } from "undici";
import { intFlag, parseFlags } from "../lib/args.js";
import type { Diag } from "../lib/diag.js";
import { newAgent, post } from "../lib/http-client.js";
import { bodyFor } from "../lib/payload.js";
import { inLanes } from "../lib/wait.js";
import { withScenario } from "../lib/with-scenario.js";

const USAGE = `usage: npm run bench:diag -- ceiling-clients [--requests=N] [--rounds=N]
  --requests  timed requests per client and round (default 20000)
  --rounds    rounds, each timing every client once (default 3)`;

type Send = (i: number) => Promise<void>;

/**
 * Scenario 1's ceiling with three undici clients on the same receiver, 64 in flight:
 * Agent.dispatch with a collecting handler (the transport's path, which scenario 1 uses),
 * undici.request and fetch. The ratio target is against the first; this shows what the choice
 * of client alone does to that ceiling. Each client is warmed with 2,000 requests first.
 */
export const ceilingClients: Diag = {
  name: "ceiling-clients",
  summary: "scenario 1's ceiling with Agent.dispatch, undici.request and fetch",
  usage: USAGE,
  async run(argv) {
    const { values } = parseFlags(argv, { requests: { type: "string" }, rounds: { type: "string" } }, USAGE);
    const n = intFlag(values.requests, "requests", 20_000, { min: 1, max: 10_000_000, usage: USAGE });
    const rounds = intFlag(values.rounds, "rounds", 3, { min: 1, max: 100, usage: USAGE });
    await withScenario(null, async (s) => {
      const receiver = await s.receiver();
      const url = new URL(receiver.url);
      const headers = { "content-type": "application/json" };
      const clients: Record<string, (agent: ReturnType<typeof newAgent>) => Send> = {
        dispatch: (agent) => async (i) => void (await post(agent, url, headers, bodyFor(i))),
        request: (agent) => async (i) => {
          const res = await request(url, { method: "POST", headers, body: bodyFor(i), dispatcher: agent });
          await res.body.text();
        },
        fetch: (agent) => async (i) => {
          const res = await fetch(url, { method: "POST", headers, body: bodyFor(i), dispatcher: agent });
          await res.text();
        },
      };
      for (let round = 1; round <= rounds; round++) {
        for (const [name, make] of Object.entries(clients)) {
          const agent = newAgent();
          const send = make(agent);
          await inLanes(2000, 64, send);
          const cpu0 = process.cpuUsage();
          const t0 = performance.now();
          await inLanes(n, 64, send);
          const ms = performance.now() - t0;
          const cpu = process.cpuUsage(cpu0);
          const perReq = (cpu.user + cpu.system) / n;
          console.log(
            `round ${round}  ${name.padEnd(9)} ${String(Math.round((n * 1000) / ms)).padStart(6)} req/s   client CPU ${perReq.toFixed(0)} µs/request`,
          );
          await agent.close();
        }
      }
    });
  },
};
