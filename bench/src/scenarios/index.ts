import type { Scenario } from "../lib/scenario.js";
import { adminQueries } from "./admin-queries.js";
import { backlog } from "./backlog.js";
import { burstMemory } from "./burst-memory.js";
import { claimQuery } from "./claim-query.js";
import { emitLatency } from "./emit-latency.js";
import { endToEndMariadb, endToEndOthers } from "./end-to-end.js";
import { handRolled } from "./hand-rolled.js";
import { httpCeiling } from "./http-ceiling.js";
import { minimalPipeline } from "./minimal-pipeline.js";
import { ordering } from "./ordering.js";
import { sinks } from "./sinks.js";
import { slowReceiver } from "./slow-receiver.js";
import { telemetryOverhead } from "./telemetry-overhead.js";

/** Every scenario, in the order and numbering of `--only` (1–14). */
export const SCENARIOS: readonly Scenario[] = [
  httpCeiling,
  handRolled,
  endToEndMariadb,
  emitLatency,
  slowReceiver,
  backlog,
  adminQueries,
  endToEndOthers,
  sinks,
  telemetryOverhead,
  ordering,
  claimQuery,
  minimalPipeline,
  burstMemory,
];
