import { request } from "undici";
import { cpuSnapshot, cpuSplit } from "../lib/cpu.js";
import { newAgent } from "../lib/http-client.js";
import { BODY_BYTES, bodyFor } from "../lib/payload.js";
import { startReceiver } from "../lib/receiver.js";
import { figure, type Scenario } from "../lib/scenario.js";
import { perSecond } from "../lib/stats.js";
import { inLanes } from "../lib/wait.js";

const sizes = (quick: boolean) => ({ requests: quick ? 500 : 20_000, inFlight: 64 });

/** 1. What the receiver and client alone can do on this machine: no signing, no log. */
export const httpCeiling: Scenario = {
  id: "1",
  title: "HTTP-only ceiling",
  settings: (quick) => ({
    ...sizes(quick),
    client: "undici.request, keep-alive Agent (32 connections)",
    bodyBytes: BODY_BYTES,
  }),
  async round(ctx) {
    const { requests, inFlight } = sizes(ctx.quick);
    const receiver = await startReceiver();
    const agent = newAgent();
    try {
      let ok = 0;
      const groups = { bench: [process.pid], receiver: [receiver.pid] };
      const cpu0 = cpuSnapshot(groups);
      const t0 = performance.now();
      await inLanes(requests, inFlight, async (i) => {
        const res = await request(receiver.url, {
          method: "POST",
          dispatcher: agent,
          headers: { "content-type": "application/json" },
          body: bodyFor(i),
        });
        await res.body.text();
        if (res.statusCode === 200) ok++;
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
    } finally {
      await agent.close();
      await receiver.close();
    }
  },
};
