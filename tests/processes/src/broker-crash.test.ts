import { TEST_SECRET, until } from "@hookline/core/testing";
import { describeTargets } from "@hookline/store-knex/testing";
import {
  type BrokerMessage,
  type DemoDestination,
  openDemoQueue,
  openDemoStream,
  runNames,
} from "@hookline-examples/fan-out/destinations";
import { unreachable } from "@hookline-examples/fan-out/reachable";
import { expect, it } from "vitest";
import { burstThenKill, mariadb, spawnWorker, statusCounts, useProcessEnv } from "./harness.js";

// The machine's brokers. With CI set an unreachable one fails the test (opening the queue or
// stream throws); locally the test is skipped under a name that says which.
const AMQP = "amqp://guest:guest@127.0.0.1:5672";
const NATS = "127.0.0.1:4222";
const down = await unreachable();
const brokerIt = down.length === 0 || process.env.CI ? it : it.skip;

/** Distinct webhook-ids a consumer read, and how many messages beyond one per id. */
function tally(messages: readonly BrokerMessage[]): { ids: Set<string>; duplicates: number } {
  const ids = new Set(messages.map((m) => m.webhookId));
  return { ids, duplicates: messages.length - ids.size };
}

describeTargets([await mariadb()], "crash recovery with broker sinks", (target) => {
  const env = useProcessEnv("bc", target);

  brokerIt(
    `SIGKILL mid-burst of 1,000 emits to a RabbitMQ queue and a JetStream stream: every accepted event reaches both, nothing is lost${down.length > 0 ? ` (unreachable: ${down.join("; ")})` : ""}`,
    async () => {
      const { tables, prefix, procs } = env;
      const names = runNames();
      const opened: DemoDestination[] = [];
      try {
        const queue = await openDemoQueue(AMQP, names.queue, TEST_SECRET);
        opened.push(queue);
        const stream = await openDemoStream(NATS, names, TEST_SECRET);
        opened.push(stream);
        const endpoints = [
          {
            id: "queue",
            url: `${AMQP}/?routingKey=${names.queue}`,
            events: "*" as const,
            secret: TEST_SECRET,
          },
          { id: "stream", url: `nats://${NATS}/${names.subject}`, events: "*" as const, secret: TEST_SECRET },
        ];
        // Sends past 8 unconfirmed are refused and wait for a retry the emitter never makes, so
        // the kill leaves a backlog as well as publishes in flight.
        const accepted = await burstThenKill(procs, { prefix, endpoints, maxInFlight: 8 });
        const readBeforeCrash = { queue: queue.received.length, stream: stream.received.length };
        const atKill = await statusCounts(tables.db, prefix);

        const rescuer = spawnWorker({
          prefix,
          endpoints,
          workerId: "rescuer",
          leaseMs: 3_000,
          batchSize: 50,
        });
        procs.push(rescuer);
        await until(
          async () => {
            const c = await statusCounts(tables.db, prefix);
            return Object.keys(c).length > 0 && Object.keys(c).every((s) => s === "succeeded");
          },
          { timeoutMs: 90_000, everyMs: 100, what: "every stored delivery to succeed" },
        );

        const rows = (await tables.db(`${prefix}deliveries`).select("event_id", "endpoint_id", "status")) as {
          event_id: string;
          endpoint_id: string;
          status: string;
        }[];
        const stored = new Set(rows.map((r) => r.event_id));
        // Accepted means committed: each accepted event has its delivery to both sinks, succeeded.
        for (const endpoint of ["queue", "stream"]) {
          const logged = new Set(
            rows.filter((r) => r.endpoint_id === endpoint && r.status === "succeeded").map((r) => r.event_id),
          );
          expect(
            accepted.filter((id) => !logged.has(id)),
            `accepted events without a ${endpoint} delivery`,
          ).toEqual([]);
          expect(logged.size).toBe(stored.size);
        }
        expect(rows).toHaveLength(2 * stored.size);

        // Each consumer reads every stored event at least once, and nothing else.
        const consumers = { queue, stream };
        await until(() => Object.values(consumers).every((c) => tally(c.received).ids.size >= stored.size), {
          timeoutMs: 30_000,
          everyMs: 100,
          what: "both consumers to read every stored event",
        }).catch(() => {}); // the checks below name what is missing
        const counts: Record<string, ReturnType<typeof tally>> = {};
        for (const [name, c] of Object.entries(consumers)) {
          const t = tally(c.received);
          counts[name] = t;
          expect(
            c.received.filter((m) => !m.verified),
            `${name}: messages failing verify()`,
          ).toHaveLength(0);
          expect(
            [...stored].filter((id) => !t.ids.has(id)),
            `${name}: stored events never read`,
          ).toEqual([]);
          expect(t.ids.size, `${name}: distinct webhook-ids read`).toBe(stored.size);
          // Only what was in flight when the emitter died may arrive twice.
          expect(t.duplicates, `${name}: duplicates`).toBeLessThanOrEqual(256);
        }
        // JetStream keeps a re-sent delivery once: its message id names the delivery, not the attempt.
        expect(counts.stream!.duplicates).toBe(0);
        console.log(
          `broker SIGKILL test: ${accepted.length} accepted before the kill, ${stored.size} stored, ` +
            `${atKill.pending ?? 0} deliveries pending at the kill; ` +
            `read before the crash: queue ${readBeforeCrash.queue}, stream ${readBeforeCrash.stream}; ` +
            `duplicates: queue ${counts.queue!.duplicates}, stream ${counts.stream!.duplicates}`,
        );
      } finally {
        await Promise.all(procs.splice(0).map((p) => p.kill("SIGKILL")));
        for (const d of opened.reverse()) await d.close();
      }
    },
    150_000,
  );
});
