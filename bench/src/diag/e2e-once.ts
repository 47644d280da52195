import type { DispatchMode } from "@hookline/core";
import { endToEnd } from "../scenarios/end-to-end.js";

// Diagnostic: one end-to-end run on MariaDB outside the harness, e.g. under `node --cpu-prof`.
// Usage: node bench/dist/diag/e2e-once.js [events=20000] [durable|parallel]
const n = Number(process.argv[2] ?? 20_000);
const mode = (process.argv[3] ?? "durable") as DispatchMode;
const r = await endToEnd("mariadb", mode, n);
console.log(JSON.stringify({ figures: r.figures, check: r.check, info: r.info }, null, 2));
