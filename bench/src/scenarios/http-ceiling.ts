import { cpuSnapshot, cpuSplit } from "../lib/cpu.js";
import { post } from "../lib/http-client.js";
import { BODY_BYTES, bodyFor } from "../lib/payload.js";
import { figure, type Scenario } from "../lib/scenario.js";
import { perSecond } from "../lib/stats.js";
import { inLanes } from "../lib/wait.js";
import { withScenario } from "../lib/with-scenario.js";

const sizes = (quick: boolean) => ({ requests: quick ? 500 : 20_000, inFlight: 64 });

/** 1. What the receiver and client alone can do on this machine: no signing, no log. */
export const httpCeiling: Scenario = {
  id: "1",
  title: "HTTP-only ceiling",
  settings: (quick) => ({
    ...sizes(quick),
    client:
      "undici Agent.dispatch with a collecting handler (the transport's path), keep-alive, 32 connections",
    bodyBytes: BODY_BYTES,
  }),
  async round(ctx) {
    const { requests, inFlight } = sizes(ctx.quick);
    return withScenario(null, async (s) => {
      const receiver = await s.receiver();
      const agent = s.agent();
      let ok = 0;
      const groups = { bench: [process.pid], receiver: [receiver.pid] };
      const cpu0 = cpuSnapshot(groups);
      const t0 = performance.now();
      const url = new URL(receiver.url);
      const headers = { "content-type": "application/json" };
      await inLanes(requests, inFlight, async (i) => {
        const res = await post(agent, url, headers, bodyFor(i));
        if (res.status === 200) ok++;
      });
      const ms = performance.now() - t0;
      const cpu = cpuSplit(cpu0, cpuSnapshot(groups), 2);
      const seen = await receiver.count();
      return {
        figures: [figure("http.rate", "requests/s", "req/s", perSecond(requests, ms))],
        checks: [
          {
            name: "every request answered 200",
            ok: ok === requests && seen === requests,
            detail: `${ok} ok, receiver saw ${seen} of ${requests}`,
          },
        ],
        info: { http: { cpuPctOfOneCore: cpu } },
      };
    });
  },
};
