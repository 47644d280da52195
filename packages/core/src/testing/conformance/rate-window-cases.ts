import { expect, it } from "vitest";
import type { EndpointControl } from "../../contracts/delivery-control.js";
import { makeEvent, wait } from "../fixtures.js";
import { claimWith, countFor } from "./control-helpers.js";
import type { ConformanceContext } from "./helpers.js";

/** One claim of ep-a: what it took, and the local clock just before and just after it. */
interface Claimed {
  readonly n: number;
  readonly before: number;
  readonly after: number;
}

/**
 * Claims of ep-a by three claimers in turn, every 20 ms, until `total` are claimed. The store
 * stamps each claim somewhere in [before, after] on its own clock.
 */
async function claimInTurn(ctx: ConformanceContext, rateLimit: EndpointControl["rateLimit"], total: number) {
  const store = ctx.store();
  await store.insertEvents(Array.from({ length: total + 5 }, () => makeEvent({ endpoints: ["ep-a"] })));
  const controls = [{ endpointId: "ep-a", rateLimit }];
  const claims: Claimed[] = [];
  let sum = 0;
  const deadline = Date.now() + 20_000;
  for (let round = 0; sum < total && Date.now() < deadline; round++) {
    const before = Date.now();
    const n = countFor(await claimWith(store, controls, { workerId: `w${round % 3}` }), "ep-a");
    claims.push({ n, before, after: Date.now() });
    sum += n;
    await wait(20);
  }
  expect(sum).toBeGreaterThanOrEqual(total);
  return claims.filter((c) => c.n > 0);
}

/**
 * The most sends in claims that surely fell within one second of each other (the last one's
 * `after` less than 1000 ms past the first one's `before`), starting from claim `from`.
 */
function busiestSecond(claims: readonly Claimed[], from = 0): number {
  let most = 0;
  for (let i = from; i < claims.length; i++) {
    let sum = 0;
    for (let j = i; j < claims.length && claims[j]!.after - claims[i]!.before < 1000; j++)
      sum += claims[j]!.n;
    most = Math.max(most, sum);
  }
  return most;
}

/** The sliding window over the bucket: no second holds more than perSecond after the burst. */
export function rateWindowCases(ctx: ConformanceContext): void {
  it("with burst <= perSecond no second holds more than perSecond across claimers, from the start; the bucket still spaces the claims", async () => {
    // The bucket alone would let 2 go at once and then 5 a second: 7 in the first second.
    const claims = await claimInTurn(ctx, { perSecond: 5, burst: 2 }, 12);
    expect(busiestSecond(claims)).toBeLessThanOrEqual(5);
    expect(Math.max(...claims.map((c) => c.n))).toBeLessThanOrEqual(2);
  }, 30_000);

  it("with burst > perSecond the burst goes at once, then no second holds more than perSecond and no second burst comes while the backlog lasts", async () => {
    const claims = await claimInTurn(ctx, { perSecond: 4, burst: 8 }, 20);
    expect(claims[0]!.n).toBe(8);
    expect(busiestSecond(claims, 1)).toBeLessThanOrEqual(4);
  }, 30_000);
}
