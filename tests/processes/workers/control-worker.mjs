// A worker or emitter process for the delivery-control process tests (ordering, supersede, rate
// limits, circuit breakers). Like worker.mjs it runs the BUILT packages; configuration arrives as
// JSON in argv[2], and progress, lifecycle events and errors go to stdout as JSON lines.
import { createHookline } from "@hookline/core";
import { buyerEvents } from "@hookline/events-buyer";
import { knexStore } from "@hookline/store-knex";
import { httpTransport } from "@hookline/transport-http";

const cfg = JSON.parse(process.argv[2]);
const say = (msg) => process.stdout.write(`${JSON.stringify(msg)}\n`);
const hooks = createHookline({
  plugins: [buyerEvents()],
  endpoints: cfg.endpoints,
  store: knexStore({ knex: cfg.knex, tablePrefix: cfg.prefix }),
  transport: httpTransport({ ssrf: { allow: ["127.0.0.1/32"] }, timeoutMs: cfg.timeoutMs ?? 5000 }),
  retry: { schedule: [100, 100, 100, 100, 100, 100, 100, 100], jitter: 0 },
  worker: {
    enabled: cfg.worker !== false,
    leaseMs: cfg.leaseMs ?? 30_000,
    pollIntervalMs: 50,
    batchSize: cfg.batchSize ?? 20,
    ...(cfg.maxInFlight ? { maxInFlight: cfg.maxInFlight } : {}),
    ...(cfg.maxQueued !== undefined ? { maxQueued: cfg.maxQueued } : {}),
    workerId: cfg.workerId,
  },
  migrate: false,
});
hooks.on("error", ({ context, error }) => say({ error: context, message: String(error?.message ?? error) }));
// Circuit transitions are announced by the process whose completion made them: the test
// gathers them from every worker.
for (const name of ["endpoint.circuit_opened", "endpoint.circuit_closed"])
  hooks.on(name, (info) => say({ lifecycle: name, ...info, at: Date.now() }));
await hooks.start();
say({ ready: true, workerId: hooks.workerId });

if (cfg.emit) {
  // post_code_change for each subject, `perSubject` times, from `lanes` concurrent callers, round
  // by round (every subject's first state, then every second one…), so one subject's states are
  // spread over the run. The i-th state of a subject carries post code P<i>.
  const { subjects, perSubject, lanes, pauseMs = 0 } = cfg.emit;
  const jobs = Array.from({ length: perSubject }, (_, i) => subjects.map((s) => [s, i + 1])).flat();
  let next = 0;
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (next < jobs.length) {
        const [subject, seq] = jobs[next++];
        const r = await hooks.emit("post_code_change", {
          buyerId: subject,
          businessName: "test",
          postCodeList: [`P${seq}`],
        });
        say({ accepted: r.eventId, subject, seq });
        if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
      }
    }),
  );
  say({ emitted: jobs.length });
}
process.on("SIGTERM", async () => {
  await hooks.stop();
  process.exit(0);
});
