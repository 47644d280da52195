// A real worker process for the process tests. It runs the BUILT packages (npm test builds first),
// so it behaves like a deployed service. Configuration arrives as JSON in argv[2]; progress goes
// to stdout as JSON lines the parent reads.
import { createHookline } from "@hookline/core";
import { buyerEvents } from "@hookline/events-buyer";
import { knexStore } from "@hookline/store-knex";
import { amqpTransport } from "@hookline/transport-amqp";
import { httpTransport } from "@hookline/transport-http";
import { natsTransport } from "@hookline/transport-nats";

const cfg = JSON.parse(process.argv[2]);
const say = (msg) => process.stdout.write(`${JSON.stringify(msg)}\n`);
// The parent passes a whole knex config: its test target's (MariaDB unless it says otherwise).
const store = knexStore({ knex: cfg.knex, tablePrefix: cfg.prefix });
// Completions the store refused (the lease went to another worker) are reported, so a test can
// wait for a zombie's late result to be fenced out instead of sleeping.
const complete = store.complete.bind(store);
store.complete = async (results) => {
  const report = await complete(results);
  if (report.stale.length > 0) say({ stale: report.stale });
  return report;
};
// A small maxInFlight makes the broker transports refuse sends (retryable backpressure), so a
// burst leaves a backlog of pending deliveries behind.
const leaseMs = cfg.leaseMs ?? 2000;
// Half the lease at most: createHookline refuses a deadline a send could outlive its claim by.
const timeoutMs = cfg.timeoutMs ?? Math.min(5000, Math.floor(leaseMs / 2));
const bound = (key) => (cfg.maxInFlight ? { [key]: cfg.maxInFlight } : {});
const schemes = new Set(cfg.endpoints.map((e) => e.url.slice(0, e.url.indexOf(":"))));
const hooks = createHookline({
  plugins: [buyerEvents()],
  endpoints: cfg.endpoints,
  store,
  // Each endpoint goes to the transport of its URL's scheme; broker transports only when used.
  transports: [
    httpTransport({ ssrf: { allow: ["127.0.0.1/32"] }, timeoutMs }),
    ...(schemes.has("amqp") ? [amqpTransport({ timeoutMs, ...bound("maxInFlightPerBroker") })] : []),
    ...(schemes.has("nats") ? [natsTransport({ timeoutMs, ...bound("maxInFlightPerServer") })] : []),
  ],
  retry: { schedule: [200, 200, 200, 200, 200], jitter: 0 },
  worker: {
    enabled: cfg.worker !== false,
    leaseMs,
    pollIntervalMs: cfg.pollIntervalMs ?? 50,
    batchSize: cfg.batchSize ?? 20,
    workerId: cfg.workerId,
  },
  migrate: false,
});
hooks.on("error", ({ context }) => say({ error: context }));
await hooks.start();
say({ ready: true, workerId: hooks.workerId });

if (cfg.emit) {
  // Emit a burst and report each accepted (committed) event id as it resolves.
  const body = (i) => ({
    buyerId: `b-${i}`,
    buyerName: "test",
    postCodeList: ["AB", "BN", "GN"],
    topUpAmount: 100,
  });
  let i = 0;
  const lanes = Array.from({ length: cfg.emit.concurrency }, async () => {
    while (i < cfg.emit.count) {
      const n = i++;
      const r = await hooks.emit("add_credits", body(n));
      say({ accepted: r.eventId });
    }
  });
  await Promise.all(lanes);
  say({ emitted: cfg.emit.count });
}
process.on("SIGTERM", async () => {
  await hooks.stop();
  process.exit(0);
});
