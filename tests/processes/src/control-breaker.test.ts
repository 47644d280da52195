import type { EndpointConfig, EndpointState } from "@hookline/core";
import { makeEvent, TEST_SECRET, until } from "@hookline/core/testing";
import { describeTargets, testTargets } from "@hookline/store-knex/testing";
import { expect, it } from "vitest";
import { attemptCounts, deliveryRows, startWorkers, tally, testEmitter } from "./control-harness.js";
import { creditsBody, statusCounts, useProcessEnv } from "./harness.js";

const COOLDOWN_MS = 1_000;
/**
 * Requests a worker sent for claims it made just before another process's completion opened the
 * circuit may still be on their way; the first cool-down is counted from this long after it opened.
 */
const IN_FLIGHT_MS = 250;

/** A circuit_opened lifecycle event as a worker process reported it. */
interface Opening {
  readonly openUntil: number;
  readonly consecutiveFailures: number;
}

const servers = (await testTargets()).filter((t) => t.name !== "sqlite");

describeTargets(servers, "circuit breaker shared by worker processes", (target) => {
  const env = useProcessEnv("b", target);

  it("opens after 5 failures, sends nothing while open, probes once per cool-down (a failed probe doubles it), closes on a successful probe; every delivery ends succeeded with only its real attempts counted", async () => {
    const { receiver, tables, prefix, procs } = env;
    const endpoints: EndpointConfig[] = [
      {
        id: "cb",
        url: receiver.url("/cb"),
        events: "*",
        secret: TEST_SECRET,
        retrySchedule: Array.from({ length: 10 }, () => 100),
        circuitBreaker: { failureThreshold: 5, cooldownMs: COOLDOWN_MS },
      },
    ];
    const openings = (): Opening[] =>
      procs
        .flatMap((p) => p.messages)
        .filter((m) => m.lifecycle === "endpoint.circuit_opened")
        .map((m) => ({
          openUntil: Date.parse(String(m.openUntil)),
          consecutiveFailures: Number(m.consecutiveFailures),
        }))
        .sort((a, b) => a.openUntil - b.openUntil);

    // Down (500) until the second probe: the first request after each cool-down is the probe;
    // the first probe fails, the second one finds the receiver back.
    const receipts: { id: string; at: number; status: number }[] = [];
    const probed = new Set<number>();
    let up = false;
    receiver.on("/cb", (req) => {
      const at = req.receivedAt.getTime();
      const last = openings().at(-1);
      if (!up && last && at >= last.openUntil && !probed.has(last.openUntil)) {
        probed.add(last.openUntil);
        up = probed.size >= 2;
      }
      const status = up ? 200 : 500;
      receipts.push({ id: req.headers["webhook-id"]!, at, status });
      return { status };
    });

    const states: EndpointState[] = [];
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const s = (await tables.store.getEndpointStates()).find((x) => x.endpointId === "cb");
        if (s && s.circuit !== states.at(-1)?.circuit) states.push(s);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();

    const backlog = Array.from({ length: 40 }, (_, i) =>
      makeEvent({ endpoints: ["cb"], subject: `b-${i}`, body: creditsBody(i) }),
    );
    await tables.store.insertEvents(backlog);
    const emitter = testEmitter({ knex: target.config(), prefix, endpoints });
    await emitter.start();
    try {
      await startWorkers(procs, 3, { knex: target.config(), prefix, endpoints });
      await until(() => openings().length > 0, { timeoutMs: 20_000, what: "endpoint.circuit_opened" });
      // A claim that read the circuit closed just before it opened may still pick up rows stored
      // right after; emitting once such claims are over makes these truly "emitted while open".
      const openedAt = openings()[0]!.openUntil - COOLDOWN_MS;
      await new Promise((r) => setTimeout(r, Math.max(0, openedAt + IN_FLIGHT_MS - Date.now())));
      // Emitted while the circuit is open: stored pending, not sent by the emitting process.
      const during = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          emitter.emit("add_credits", {
            buyerId: `late-${i}`,
            buyerName: "test",
            postCodeList: ["AB"],
            topUpAmount: 1,
          }),
        ),
      );
      await until(async () => (await statusCounts(tables.db, prefix)).succeeded === 50, {
        timeoutMs: 60_000,
        everyMs: 100,
        what: `50 succeeded deliveries (openings so far: ${JSON.stringify(openings())})`,
      });
      await until(
        () => procs.some((p) => p.messages.some((m) => m.lifecycle === "endpoint.circuit_closed")),
        {
          timeoutMs: 5_000,
          what: "endpoint.circuit_closed",
        },
      );

      const [first, second, ...more] = openings();
      expect(more).toEqual([]);
      expect(first!.consecutiveFailures).toBeGreaterThanOrEqual(5);
      expect(receipts.filter((r) => r.at < first!.openUntil - COOLDOWN_MS).length).toBeGreaterThanOrEqual(5);
      // Nothing reaches the receiver during the first cool-down…
      const opened = first!.openUntil - COOLDOWN_MS;
      expect(receipts.filter((r) => r.at > opened + IN_FLIGHT_MS && r.at < first!.openUntil)).toEqual([]);
      // …then exactly one probe, which fails: nothing more until the second, longer cool-down ends.
      const afterFirst = receipts.filter((r) => r.at >= first!.openUntil);
      expect(afterFirst[0]!.status).toBe(500);
      expect(second!.openUntil - afterFirst[0]!.at).toBeGreaterThan(1.5 * COOLDOWN_MS);
      expect(afterFirst[1]!.at).toBeGreaterThanOrEqual(second!.openUntil);
      expect(afterFirst[1]!.status).toBe(200);

      expect(states.some((s) => s.circuit === "open")).toBe(true);
      const final = (await tables.store.getEndpointStates()).find((s) => s.endpointId === "cb");
      expect(final).toMatchObject({ circuit: "closed", consecutiveFailures: 0 });

      // Waiting while open costs no attempt: each delivery's count is its requests, one row each.
      expect(await statusCounts(tables.db, prefix)).toEqual({ succeeded: 50 });
      const rows = await deliveryRows(tables.db, prefix);
      const sent = tally(receipts.map((r) => r.id));
      const logged = await attemptCounts(tables.db, prefix);
      for (const r of rows) {
        expect(r.attempts).toBe(sent.get(r.eventId));
        expect(logged.get(r.id)).toBe(r.attempts);
      }
      // Those emitted while it was open waited for the cool-down, wherever they were emitted.
      for (const e of during)
        for (const r of receipts.filter((x) => x.id === e.eventId))
          expect(r.at).toBeGreaterThanOrEqual(first!.openUntil);
    } finally {
      polling = false;
      await poller;
      await emitter.stop();
    }
  }, 120_000);
});
