// A Hookline retry worker in its own process for the bench (scenarios 5 and 6). It runs the
// BUILT packages (`npm run bench` builds first), so it behaves like a deployed worker service.
// Configuration arrives as JSON in `--config=<json>` (from lib/worker-proc.ts). Controlled over
// IPC: "start" starts the worker (after the process is warm, so start-up is not timed), "mem"
// reports process.memoryUsage(), "stop" stops it, reports per-call store timings and exits.

import { createHookline } from "@hookline/core";
import { buyerEvents } from "@hookline/events-buyer";
import { httpTransport } from "@hookline/transport-http";
// The bench's own built helpers (bench/dist), the same code the in-process scenarios use.
import { childConfig, childStore } from "../dist/lib/child-store.js";
import { profiledStore } from "../dist/lib/store-profile.js";

const cfg = childConfig("worker.mjs");
const raw = childStore(cfg.databaseUrl, cfg.prefix);
const { store, profile } = profiledStore(raw);
const hooks = createHookline({
  plugins: [buyerEvents()],
  endpoints: cfg.endpoints,
  store,
  transport: httpTransport({ ssrf: { allow: ["127.0.0.1/32"] } }),
  worker: cfg.worker ?? {},
  ...(cfg.retry ? { retry: cfg.retry } : {}),
  migrate: false,
});
let errors = 0;
hooks.on("error", ({ context }) => {
  // Report the first few only: a flood of IPC messages would cost the CPU being measured.
  if (++errors <= 5) process.send({ error: String(context) });
});

let stopping;
const stop = () => {
  stopping ??= hooks
    .stop()
    .catch(() => {})
    .then(() => {
      if (process.connected) process.send({ stopped: true, profile });
      process.exit(0);
    });
  return stopping;
};

process.on("message", async (m) => {
  if (m === "start") {
    await hooks.start();
    process.send({ started: true, workerId: hooks.workerId });
  } else if (m === "mem") process.send({ mem: process.memoryUsage() });
  else if (m === "stop") await stop();
});
process.on("disconnect", stop);
process.on("SIGTERM", stop);

// One query opens a pooled connection, so "start" is not slowed by the first connect.
await store.getEndpointStates();
process.send({ ready: true });
