import { describe, expect, it } from "vitest";
import type { DeliveryStore } from "../contracts/store.js";
import { createHookline } from "../hookline.js";
import { memoryTransport } from "../memory/memory-transport.js";
import { fakeClock } from "../testing/fake-clock.js";
import { memoryReceiver } from "../testing/receiver.js";
import { controlPlugin, endpoint } from "./control-fixtures.js";
import { spyStore } from "./helpers.js";

/** Poll interval 1 s; `rl` refills a token every 50 ms (20/s, burst 5). Counts the claims. */
function limitedHooks() {
  const clock = fakeClock();
  const receiver = memoryReceiver();
  const spy = spyStore(clock);
  let claims = 0;
  const store: DeliveryStore = {
    ...spy.store,
    claimDue(opts) {
      claims++;
      return spy.store.claimDue(opts);
    },
  };
  const hooks = createHookline({
    plugins: [controlPlugin()],
    endpoints: [endpoint(receiver.baseUrl, "rl", { rateLimit: { perSecond: 20, burst: 5 } })],
    store,
    transport: memoryTransport({ receiver }),
    worker: { pollIntervalMs: 1_000 },
    clock,
  });
  /** Claims made while the clock moves `ms` forward, 10 ms at a time. */
  const claimsOver = async (ms: number): Promise<number> => {
    const before = claims;
    for (let t = 0; t < ms; t += 10) await clock.advance(10);
    return claims - before;
  };
  return { hooks, receiver, claimsOver };
}

describe("the worker's idle wait with a rate-limited endpoint", () => {
  it("with nothing to send, polls at the poll interval, not at the bucket's refill", async () => {
    const { hooks, claimsOver } = limitedHooks();
    await hooks.start();
    try {
      expect(await claimsOver(10_000)).toBeLessThanOrEqual(11);
    } finally {
      await hooks.stop();
    }
  });

  it("takes each token as it refills while the endpoint has work, then falls back to the poll interval", async () => {
    const { hooks, receiver, claimsOver } = limitedHooks();
    await hooks.start();
    try {
      await claimsOver(2_000);
      // The emits wake the worker: the burst goes at once, the rest one token (50 ms) at a time.
      await Promise.all(Array.from({ length: 15 }, (_, n) => hooks.emit("pinged", { n })));
      await claimsOver(20);
      expect(receiver.requests).toHaveLength(5);
      await claimsOver(500);
      expect(receiver.requests).toHaveLength(15);
      // A few seconds after the last send, the worker is back to one claim a second.
      await claimsOver(3_000);
      expect(await claimsOver(10_000)).toBeLessThanOrEqual(11);
    } finally {
      await hooks.stop();
    }
  });
});
