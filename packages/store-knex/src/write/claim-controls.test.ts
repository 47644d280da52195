import type { ClaimedDelivery, DeliveryStore, EndpointControl } from "@hookline/core";
import { makeEvent, makeOutcome, makeResult } from "@hookline/core/testing";
import { expect, it } from "vitest";
import { useTestEnv } from "../__fixtures__/test-env.js";
import { describeTargets, testTargets } from "../testing/databases.js";

const targets = await testTargets();

const claimAll = (s: DeliveryStore, controls: readonly EndpointControl[], workerId: string, limit = 50) =>
  s.claimDue({ limit, leaseMs: 60_000, workerId, endpointIds: ["ep-a", "ep-b"], controls });

describeTargets(targets, "claimDue with controls", (target) => {
  const env = useTestEnv(target, "cc");

  it("three workers (separate pools) claiming at once share one bucket: never over burst + perSecond × elapsed, no row twice", async () => {
    const { store, open } = env();
    await store.insertEvents(Array.from({ length: 60 }, () => makeEvent({ endpoints: ["ep-a"] })));
    const controls = [{ endpointId: "ep-a", rateLimit: { perSecond: 20, burst: 5 } }];
    const workers = await Promise.all([1, 2, 3].map(() => open()));
    const started = Date.now();
    const claims: ClaimedDelivery[] = [];
    await Promise.all(
      workers.map(async (w, i) => {
        while (Date.now() - started < 1_000) {
          claims.push(...(await claimAll(w, controls, `w${i}`)));
          // The bound holds at every moment, whoever claimed.
          expect(claims.length).toBeLessThanOrEqual(
            Math.floor(5 + (20 * (Date.now() - started + 25)) / 1000),
          );
        }
      }),
    );
    expect(new Set(claims.map((c) => c.id)).size).toBe(claims.length);
    // 1 s at 20/s after a burst of 5: most of the allowance was used, so the bucket did refill.
    expect(claims.length).toBeGreaterThanOrEqual(15);
  });

  it("maxConcurrent holds across workers claiming at once", async () => {
    const { store, open } = env();
    await store.insertEvents(Array.from({ length: 30 }, () => makeEvent({ endpoints: ["ep-a", "ep-b"] })));
    const controls = [{ endpointId: "ep-a", maxConcurrent: 3 }];
    // One claim first, so the endpoint's row exists and the workers below meet on its lock only.
    expect(
      await claimAll(
        store,
        [
          { endpointId: "ep-a", maxConcurrent: 1 },
          { endpointId: "ep-b", maxConcurrent: 1 },
        ],
        "w",
      ),
    ).toHaveLength(2);
    const workers = await Promise.all([1, 2, 3, 4].map(() => open()));
    const got = (await Promise.all(workers.map((w, i) => claimAll(w, controls, `w${i}`, 10)))).flat();
    expect(got.filter((c) => c.endpointId === "ep-a")).toHaveLength(2);
    const sending = await store.listDeliveries({ endpointId: ["ep-a"], status: ["sending"] }, { limit: 100 });
    expect(sending.items).toHaveLength(3);
  });

  it("workers claiming at once after a cool-down send exactly one probe", async () => {
    const { store, open, db, t } = env();
    await store.insertEvents(Array.from({ length: 10 }, () => makeEvent({ endpoints: ["ep-a"] })));
    await db(t.endpoints).insert({
      endpoint_id: "ep-a",
      disabled: false,
      updated_at: 0,
      circuit: "open",
      failures: 10,
      open_until: 1,
      cooldown_ms: 100,
    });
    const controls = [
      { endpointId: "ep-a", breaker: { failureThreshold: 10, cooldownMs: 100, maxCooldownMs: 1000 } },
    ];
    const workers = await Promise.all([1, 2, 3].map(() => open()));
    const got = (await Promise.all(workers.map((w, i) => claimAll(w, controls, `w${i}`)))).flat();
    expect(got).toHaveLength(1);
    const row = await db(t.endpoints).where("endpoint_id", "ep-a").first();
    expect(row).toMatchObject({ circuit: "half_open", probe_id: got[0]!.id });
  });

  it("failures completed by several workers at once add up, and the circuit opens once", async () => {
    const { store, open } = env();
    const evs = Array.from({ length: 12 }, () =>
      makeEvent({ endpoints: ["ep-a"], claim: { leaseMs: 60_000 } }),
    );
    await store.insertEvents(evs);
    const controls = [
      { endpointId: "ep-a", breaker: { failureThreshold: 8, cooldownMs: 60_000, maxCooldownMs: 600_000 } },
    ];
    const workers = await Promise.all([1, 2, 3].map(() => open()));
    const reports = await Promise.all(
      workers.map((w, i) =>
        w.complete(
          evs.slice(i * 4, i * 4 + 4).map((e) => {
            const d = e.deliveries[0]!;
            const claim = {
              id: d.id,
              claimToken: d.claim!.token,
              attempts: 1,
              endpointId: "ep-a",
              eventCode: e.code,
            };
            return makeResult(claim, makeOutcome("retryable"), { status: "pending", delayMs: 60_000 });
          }),
          { controls },
        ),
      ),
    );
    expect(reports.flatMap((r) => r.circuits ?? [])).toMatchObject([{ endpointId: "ep-a", state: "open" }]);
    const [state] = await store.getEndpointStates();
    expect(state).toMatchObject({ endpointId: "ep-a", circuit: "open", consecutiveFailures: 12 });
  });

  it("control rows read as enabled and never switched; the switch and the controls keep each other's columns", async () => {
    const { store, db, t } = env();
    await store.insertEvents([makeEvent({ endpoints: ["ep-a"] })]);
    await claimAll(store, [{ endpointId: "ep-a", rateLimit: { perSecond: 1, burst: 4 } }], "w");
    expect(await store.getEndpointStates()).toEqual([
      {
        endpointId: "ep-a",
        disabled: false,
        disabledAt: null,
        disabledReason: null,
        updatedAt: null,
        circuit: "closed",
        consecutiveFailures: 0,
        openUntil: null,
        pausedUntil: null,
      },
    ]);
    const tokens = Number((await db(t.endpoints).where("endpoint_id", "ep-a").first()).tokens);
    expect(tokens).toBeGreaterThanOrEqual(3);
    expect(tokens).toBeLessThan(3.1);
    await store.setEndpointDisabled("ep-a", true, "by hand");
    const [off] = await store.getEndpointStates();
    expect(off).toMatchObject({ disabled: true, disabledReason: "by hand", circuit: "closed" });
    expect(off?.updatedAt).toBeInstanceOf(Date);
    expect(Number((await db(t.endpoints).where("endpoint_id", "ep-a").first()).tokens)).toBe(tokens);
  });

  it("a circuit left open by a breaker the endpoint no longer has is closed by the next claim", async () => {
    const { store, db, t } = env();
    await store.insertEvents([makeEvent({ endpoints: ["ep-a"] })]);
    await db(t.endpoints).insert({
      endpoint_id: "ep-a",
      disabled: false,
      updated_at: 0,
      circuit: "open",
      failures: 10,
      open_until: Date.now() + 3_600_000,
    });
    expect(await claimAll(store, [{ endpointId: "ep-a" }], "w")).toHaveLength(1);
    expect((await store.getEndpointStates())[0]).toMatchObject({ circuit: "closed", openUntil: null });
  });

  it("rejects invalid controls", async () => {
    const { store } = env();
    const ok = { limit: 5, leaseMs: 1000, workerId: "w", endpointIds: ["ep-a"] };
    for (const controls of [
      "x",
      [{}],
      [{ endpointId: "ep-a", rateLimit: { perSecond: 0, burst: 1 } }],
      [{ endpointId: "ep-a", rateLimit: { perSecond: 1, burst: 0.5 } }],
      [{ endpointId: "ep-a", maxConcurrent: 0 }],
      [{ endpointId: "ep-a", breaker: { failureThreshold: 1, cooldownMs: 100, maxCooldownMs: 50 } }],
    ] as never[]) {
      await expect(store.claimDue({ ...ok, controls })).rejects.toMatchObject({
        code: "HOOKLINE_INVALID_OPTION",
      });
      await expect(store.complete([], { controls })).rejects.toMatchObject({
        code: "HOOKLINE_INVALID_OPTION",
      });
    }
  });
});
