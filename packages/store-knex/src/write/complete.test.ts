import { makeEvent, makeOutcome, makeResult } from "@hookline/core/testing";
import { expect, it } from "vitest";
import { useTestEnv } from "../__fixtures__/test-env.js";
import { describeTargets, testTargets } from "../testing/databases.js";

const targets = await testTargets();
const claimOf = (ev: ReturnType<typeof makeEvent>, i = 0) => {
  const d = ev.deliveries[i]!;
  return { id: d.id, claimToken: d.claim!.token, attempts: 1, endpointId: d.endpointId, eventCode: ev.code };
};

describeTargets(targets, "complete", (target) => {
  const env = useTestEnv(target, "cmp", { maxResponseBodyBytes: 64 });

  it("caps response bodies at maxResponseBodyBytes on a character boundary and flags them", async () => {
    const { store } = env();
    const ev = makeEvent({ claim: { leaseMs: 60_000 } });
    await store.insertEvents([ev]);
    const body = `${"a".repeat(62)}😀 tail`;
    await store.complete([
      makeResult(claimOf(ev), makeOutcome("success", { body }), { status: "succeeded" }),
    ]);
    const [a] = (await store.getDelivery(ev.deliveries[0]!.id))!.attemptLog;
    expect(a!.responseBody).toBe("a".repeat(62));
    expect(a!.responseTruncated).toBe(true);
  });

  it("stores NUL and other control bytes in response bodies; PostgreSQL replaces only NUL", async () => {
    const { store } = env();
    const ev = makeEvent({ claim: { leaseMs: 60_000 } });
    await store.insertEvents([ev]);
    const body = "x\u0000y\u0001é";
    await store.complete([
      makeResult(
        claimOf(ev),
        makeOutcome("retryable", { body, error: { code: "HOOKLINE_HTTP_STATUS", message: "m\u0000" } }),
        {
          status: "failed",
        },
      ),
    ]);
    const [a] = (await store.getDelivery(ev.deliveries[0]!.id))!.attemptLog;
    const expected = target.name === "postgres" ? "x\uFFFDy\u0001é" : body;
    expect(a!.responseBody).toBe(expected);
    expect(a!.responseTruncated).toBe(false);
    expect(a!.errorMessage).toBe(target.name === "postgres" ? "m\uFFFD" : "m\u0000");
  });

  it("redacts credential headers even when the caller did not", async () => {
    const { store } = env();
    const ev = makeEvent({ claim: { leaseMs: 60_000 } });
    await store.insertEvents([ev]);
    const result = makeResult(claimOf(ev), makeOutcome("success"), { status: "succeeded" });
    await store.complete([
      {
        ...result,
        request: { url: "https://r.example/h", headers: { authorization: "Bearer s3cret", "x-trace": "t" } },
      },
    ]);
    const [a] = (await store.getDelivery(ev.deliveries[0]!.id))!.attemptLog;
    expect(a!.requestHeaders).toEqual({ authorization: "[redacted]", "x-trace": "t" });
  });

  it("applies one completion per delivery: a repeat in the same batch and unknown ids are stale", async () => {
    const { store } = env();
    const evs = [0, 1].map(() => makeEvent({ claim: { leaseMs: 60_000 } }));
    await store.insertEvents(evs);
    const ok = makeResult(claimOf(evs[0]!), makeOutcome("success"), { status: "succeeded" });
    const dup = makeResult(claimOf(evs[0]!), makeOutcome("retryable"), { status: "failed" });
    const wrong = makeResult({ ...claimOf(evs[1]!), claimToken: "clm_x" }, makeOutcome("success"), {
      status: "succeeded",
    });
    const ghost = makeResult({ ...claimOf(evs[1]!), id: "dlv_ghost" }, makeOutcome("success"), {
      status: "succeeded",
    });
    const report = await store.complete([ok, dup, wrong, ghost]);
    expect(report.applied).toEqual([ok.deliveryId]);
    expect([...report.stale].sort()).toEqual([ok.deliveryId, wrong.deliveryId, "dlv_ghost"].sort());
    const d0 = await store.getDelivery(ok.deliveryId);
    expect(d0).toMatchObject({ status: "succeeded", lastStatus: 200, lastErrorCode: null });
    expect(d0!.attemptLog).toHaveLength(1);
    expect(await store.getDelivery(wrong.deliveryId)).toMatchObject({ status: "sending" });
  });

  it("moves each delivery of one batch to its own next state and due time", async () => {
    const { store } = env();
    const evs = [0, 1, 2, 3].map(() => makeEvent({ claim: { leaseMs: 60_000 } }));
    await store.insertEvents(evs);
    const before = Date.now();
    const report = await store.complete([
      makeResult(claimOf(evs[0]!), makeOutcome("success", { durationMs: 7.6 }), { status: "succeeded" }),
      makeResult(claimOf(evs[1]!), makeOutcome("retryable", { status: 503 }), {
        status: "pending",
        delayMs: 5000,
      }),
      makeResult(claimOf(evs[2]!), makeOutcome("retryable", { status: undefined }), {
        status: "pending",
        delayMs: 9_000_000,
      }),
      makeResult(claimOf(evs[3]!), makeOutcome("permanent", { status: 400 }), { status: "cancelled" }),
    ]);
    expect(report.applied).toHaveLength(4);
    const [d0, d1, d2, d3] = await Promise.all(evs.map((e) => store.getDelivery(e.deliveries[0]!.id)));
    expect(d0).toMatchObject({ status: "succeeded", nextAttemptAt: null, lastDurationMs: 8 });
    expect(d1).toMatchObject({ status: "pending", lastStatus: 503, lastErrorCode: "HOOKLINE_HTTP_STATUS" });
    expect(d1!.nextAttemptAt!.getTime() - before).toBeGreaterThanOrEqual(4000);
    expect(d1!.nextAttemptAt!.getTime() - before).toBeLessThan(7000);
    expect(d2).toMatchObject({ status: "pending", lastStatus: null });
    expect(d2!.nextAttemptAt!.getTime() - before).toBeGreaterThan(8_990_000);
    expect(d3).toMatchObject({ status: "cancelled", lastStatus: 400, nextAttemptAt: null });
  });

  it("a batch whose rows share their new values (one SET value per column) moves every row the same way", async () => {
    const { store, db, t } = env();
    const evs = [0, 1, 2].map(() => makeEvent({ claim: { leaseMs: 60_000 } }));
    await store.insertEvents(evs);
    const before = Date.now();
    const report = await store.complete(
      evs.map((ev) =>
        makeResult(claimOf(ev), makeOutcome("retryable", { status: 503, durationMs: 4 }), {
          status: "pending",
          delayMs: 5000,
        }),
      ),
    );
    expect(report.applied).toHaveLength(3);
    const rows = await db(t.deliveries)
      .select("status", "next_attempt_at", "lease_until", "claim_token", "last_status", "last_duration_ms")
      .whereIn(
        "id",
        evs.map((e) => e.deliveries[0]!.id),
      );
    expect(rows).toHaveLength(3);
    for (const r of rows) {
      expect(r).toMatchObject({ status: "pending", lease_until: null, claim_token: null });
      expect(Number(r.last_status)).toBe(503);
      expect(Number(r.last_duration_ms)).toBe(4);
      expect(Number(r.next_attempt_at) - before).toBeGreaterThanOrEqual(4000);
      expect(Number(r.next_attempt_at) - before).toBeLessThan(7000);
    }
    expect(Number((await db(t.attempts).count({ n: "*" }))[0]!.n)).toBe(3);
  });

  it("completes 1,200 deliveries across several transactions in one call", async () => {
    const { store } = env();
    const evs = Array.from({ length: 400 }, () =>
      makeEvent({ claim: { leaseMs: 60_000 }, endpoints: ["a", "b", "c"] }),
    );
    await store.insertEvents(evs);
    const results = evs.flatMap((ev) =>
      [0, 1, 2].map((i) => makeResult(claimOf(ev, i), makeOutcome("success"), { status: "succeeded" })),
    );
    const report = await store.complete(results);
    expect(report.applied).toHaveLength(1200);
    const [row] = await store.stats({
      since: new Date(Date.now() - 7_200_000),
      until: new Date(Date.now() + 7_200_000),
    });
    expect(row?.counts.succeeded).toBe(400);
    expect((await store.listDeliveries({ status: ["succeeded"] }, { limit: 1000 })).items).toHaveLength(1000);
  });

  it("rejects an unknown next state before writing anything", async () => {
    const { store } = env();
    const ev = makeEvent({ claim: { leaseMs: 60_000 } });
    await store.insertEvents([ev]);
    const bad = makeResult(claimOf(ev), makeOutcome("success"), { status: "done" } as never);
    await expect(store.complete([bad])).rejects.toMatchObject({ code: "HOOKLINE_INVALID_OPTION" });
    expect(await store.getDelivery(ev.deliveries[0]!.id)).toMatchObject({ status: "sending" });
  });

  it("release() returns only matching claims and un-counts their attempt", async () => {
    const { store } = env();
    await store.insertEvents([makeEvent({ endpoints: ["a", "b"] })]);
    const claimed = await store.claimDue({
      limit: 5,
      leaseMs: 60_000,
      workerId: "w",
      endpointIds: ["a", "b"],
    });
    const n = await store.release([
      { deliveryId: claimed[0]!.id, claimToken: claimed[0]!.claimToken },
      { deliveryId: claimed[1]!.id, claimToken: "clm_other" },
    ]);
    expect(n).toBe(1);
    expect(await store.getDelivery(claimed[0]!.id)).toMatchObject({ status: "pending", attempts: 0 });
    expect(await store.getDelivery(claimed[1]!.id)).toMatchObject({ status: "sending", attempts: 1 });
  });
});
