// One burst of emits fired at once (Promise.all) in a process of its own, so its peak RSS is the
// burst's alone (scenario 14). It runs the BUILT packages. `--config=<json>`: databaseUrl,
// prefix, url (the receiver), n, and `hookline`: false for the baseline, which builds the same n
// promises and payloads and holds them as long as an emit would, with nothing of Hookline's.
// Reports { done: { emitMs, totalMs, succeeded, peakRssMb } } over IPC, then exits.

import { readFileSync } from "node:fs";
import { createHookline } from "@hookline/core";
import { buyerEvents } from "@hookline/events-buyer";
import { httpTransport } from "@hookline/transport-http";
import { childConfig, childStore } from "../dist/lib/child-store.js";
import { holdPayloads } from "../dist/lib/held-payloads.js";
import { buyerPayload, EVENT_CODE, endpointFor } from "../dist/lib/payload.js";

const cfg = childConfig("burst-emitter.mjs");

const store = childStore(cfg.databaseUrl, cfg.prefix);
const hooks = createHookline({
  plugins: [buyerEvents()],
  endpoints: endpointFor(cfg.url),
  store,
  transport: httpTransport({ ssrf: { allow: ["127.0.0.1/32"] } }),
  migrate: false,
});
await hooks.start();
let succeeded = 0;
hooks.on("delivery.succeeded", () => void succeeded++);

const n = cfg.n;
const t0 = performance.now();
if (cfg.hookline) {
  await Promise.all(Array.from({ length: n }, (_, i) => hooks.emit(EVENT_CODE, buyerPayload(i))));
} else {
  // Each promise holds its payload until the whole burst is built, as emits waiting on a store do.
  await holdPayloads(n).release();
}
const emitMs = performance.now() - t0;
if (cfg.hookline) {
  const deadline = Date.now() + 300_000;
  while (succeeded < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}
const totalMs = performance.now() - t0;
await hooks.stop();
// Peak resident set size of this process (VmHWM), read before it exits.
const peakKb = Number(/VmHWM:\s+(\d+)\s+kB/.exec(readFileSync("/proc/self/status", "utf8"))?.[1]);
process.send({ done: { emitMs, totalMs, succeeded, peakRssMb: peakKb / 1024 } });
process.disconnect();
