import type { Diag } from "../lib/diag.js";
import { burstFloor } from "./burst-floor.js";
import { ceilingClients } from "./ceiling-clients.js";
import { e2eOnce } from "./e2e-once.js";
import { orderingOnce } from "./ordering-once.js";
import { profileSummary } from "./profile-summary.js";
import { storeCosts } from "./store-costs.js";
import { telemetryCost } from "./telemetry-cost.js";

/** Every diagnostic `npm run bench:diag` runs, each behind a figure docs/performance.md reports. */
export const DIAGS: readonly Diag[] = [
  storeCosts,
  ceilingClients,
  e2eOnce,
  orderingOnce,
  profileSummary,
  telemetryCost,
  burstFloor,
];
