import { makeEvent, startHttpReceiver, type TestReceiver } from "@hookline/core/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  mysqlReachable,
  openTables,
  spawnWorker,
  statusCounts,
  uniquePrefix,
  until,
  type WorkerProc,
} from "./harness.js";

const up = await mysqlReachable();
const body = (i: number) =>
  JSON.stringify({
    buyerId: `b-${i}`,
    buyerName: "test",
    postCodeList: ["AB"],
    topUpAmount: 1,
    eventCode: "add_credits",
  });

describe.skipIf(!up)(
  `worker processes on MariaDB${up ? "" : " [skipped: MariaDB unreachable and CI unset]"}`,
  () => {
    let receiver: TestReceiver;
    let tables: Awaited<ReturnType<typeof openTables>>;
    let prefix: string;
    const procs: WorkerProc[] = [];
    beforeEach(async () => {
      receiver = await startHttpReceiver();
      prefix = uniquePrefix("w");
      tables = await openTables(prefix);
    });
    afterEach(async () => {
      await Promise.all(procs.splice(0).map((p) => p.kill("SIGKILL")));
      await receiver.close();
      await tables.drop();
    });
    const ids = () => receiver.requests.map((r) => r.headers["webhook-id"]!);

    it("three workers on one table send every due delivery exactly once", async () => {
      const events = Array.from({ length: 600 }, (_, i) =>
        makeEvent({ code: "add_credits", endpoints: ["r"], body: body(i) }),
      );
      for (let i = 0; i < events.length; i += 200) await tables.store.insertEvents(events.slice(i, i + 200));
      receiver.on("/r", { delayMs: 5 });
      const endpoints = [{ id: "r", url: receiver.url("/r"), events: "*" as const }];
      for (const n of [1, 2, 3])
        procs.push(spawnWorker({ prefix, endpoints, workerId: `w${n}`, batchSize: 10 }));
      await until(
        async () => (await statusCounts(tables.db, prefix)).succeeded === 600,
        60_000,
        "600 succeeded deliveries",
      );
      expect(ids()).toHaveLength(600);
      expect(new Set(ids())).toEqual(new Set(events.map((e) => e.id)));
      const attempts = await tables.db(`${prefix}attempts`).count({ n: "*" });
      expect(Number(attempts[0]!.n)).toBe(600);
    });

    it("a zombie whose lease expired cannot overwrite the newer result", async () => {
      const [ev] = [makeEvent({ code: "add_credits", endpoints: ["z"], body: body(1) })];
      await tables.store.insertEvents([ev!]);
      receiver.on("/z", [{ status: 500, delayMs: 4_000 }, { status: 200 }]);
      const endpoints = [{ id: "z", url: receiver.url("/z"), events: "*" as const }];
      const zombie = spawnWorker({
        prefix,
        endpoints,
        workerId: "zombie",
        leaseMs: 1_000,
        timeoutMs: 10_000,
      });
      procs.push(zombie);
      await receiver.waitFor(1, { timeoutMs: 15_000 });
      const rescuer = spawnWorker({ prefix, endpoints, workerId: "rescuer", leaseMs: 1_000 });
      procs.push(rescuer);
      const id = ev!.deliveries[0]!.id;
      await until(
        async () => (await tables.store.getDelivery(id))?.status === "succeeded",
        15_000,
        "the rescuer's success",
      );
      // Let the zombie's 500 arrive (4 s after its request) and try to complete.
      await until(async () => receiver.requests.length === 2, 5_000, "two requests");
      await new Promise((r) => setTimeout(r, 4_500));
      const d = await tables.store.getDelivery(id);
      expect(d).toMatchObject({ status: "succeeded", attempts: 2, lastStatus: 200 });
      expect(d?.attemptLog.map((a) => [a.attempt, a.responseStatus])).toEqual([[2, 200]]);
    });
  },
);
