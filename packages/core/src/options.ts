import { hostname } from "node:os";
import type { DependencyContainer } from "tsyringe";
import type { DeliveryStore } from "./contracts/store.js";
import type { Transport } from "./contracts/transport.js";
import type { EndpointConfig } from "./endpoints/endpoint-config.js";
import { invalidOption } from "./errors/hookline-error.js";
import type { HooklinePlugin } from "./events/plugin.js";
import type { RetryOptions } from "./retry/retry-policy.js";
import {
  type ResolvedTelemetry,
  resolveTelemetryOptions,
  type TelemetryOptions,
} from "./telemetry/telemetry-options.js";
import type { Clock } from "./util/clock.js";
import { newId } from "./util/ids.js";
import { checkLogger, type Logger } from "./util/logger.js";
import { assertKnownKeys, keysOf } from "./util/strict-keys.js";

/** Consistency between the log insert and the first request. */
export type DispatchMode = "durable" | "parallel";

/** Retry worker options. */
export interface WorkerOptions {
  /** Run a worker in this process on start(). Set false for emit-only processes. @default true */
  readonly enabled?: boolean;
  /**
   * Attempts in flight at once (emit path and worker together). As many finished attempts may
   * wait for their log write besides; past that, a finished attempt keeps its slot. @default 256
   */
  readonly maxInFlight?: number;
  /**
   * First attempts emit() may queue in memory (already claimed, lease held) once maxInFlight are
   * running. Past that, new emits wait for room while sends are quick; once the oldest send has
   * run for a second, or emits have found no room for a second, their deliveries are stored
   * unclaimed for the worker instead. Each waiting job holds its body in memory (about 1–2 KB).
   * @default 8192
   */
  readonly maxQueued?: number;
  /** Deliveries claimed per query. @default 100 */
  readonly batchSize?: number;
  /** Idle wait between claim queries. @default 1000 */
  readonly pollIntervalMs?: number;
  /**
   * How long a claim holds a delivery. Must be at least twice every endpoint's send deadline: its
   * `timeoutMs`, else its transport's (an attempt starts with at least half its lease left;
   * checked at construction). @default 120000
   */
  readonly leaseMs?: number;
  /** Identifies this process in claims. @default `${hostname}-${pid}-<random>` */
  readonly workerId?: string;
  /** stop() waits this long for in-flight attempts before aborting them. @default 10000 */
  readonly stopGraceMs?: number;
  /**
   * How long past stopGraceMs stop() waits for the store (a claim, a pending insert, the last
   * completion writes, closing the pool). stop() resolves within stopGraceMs + this whatever the
   * store does; claims it gave up on keep their lease until it expires, then are sent again.
   * @default 5000
   */
  readonly stopStoreTimeoutMs?: number;
  /** First back-off delay while the store is unavailable (doubles up to backoffMaxMs). @default 250 */
  readonly backoffMinMs?: number;
  /** @default 30000 */
  readonly backoffMaxMs?: number;
  /** How often persisted endpoint switches (set from another process) are re-read. @default 5000 */
  readonly endpointRefreshMs?: number;
  /**
   * Disable an endpoint whose attempts have all failed for this long (its pending deliveries are
   * cancelled and stay replayable). 0 turns it off. @default 432000000 (5 days)
   */
  readonly autoDisableAfterMs?: number;
  /** How often endpoint health is checked for auto-disable. @default 300000 (5 min) */
  readonly healthCheckMs?: number;
}

/** Options of createHookline. */
export interface HooklineOptions<Plugins extends readonly HooklinePlugin[]> {
  /** Event plugins; emit() is typed from them. */
  readonly plugins: Plugins;
  /** The webhook receivers (the constants file). */
  readonly endpoints: readonly EndpointConfig[];
  /** Delivery log. @default the Store registered on `container` */
  readonly store?: DeliveryStore;
  /** Sink. Not together with `transports`. @default the Transport registered on `container` */
  readonly transport?: Transport;
  /**
   * Several sinks; each endpoint goes to the one whose `schemes` include its URL's scheme (two
   * serving one scheme is an error). Not together with `transport`.
   * @default every Transport registered on `container`
   */
  readonly transports?: readonly Transport[];
  /**
   * `"durable"`: the insert commits, then the first request goes. `"parallel"`: both start
   * together, for deliveries to endpoints with `circuitBreaker: false` that do not order by
   * subject; the others wait for the insert. @default "durable"
   */
  readonly mode?: DispatchMode;
  /** Retry schedule, jitter and Retry-After cap. */
  readonly retry?: RetryOptions;
  /** Retry worker settings. */
  readonly worker?: WorkerOptions;
  /** Largest serialised body accepted by emit(), in UTF-8 bytes. @default 262144 (256 KiB) */
  readonly maxBodyBytes?: number;
  /** Most events written per insert batch. @default 500 */
  readonly insertBatchSize?: number;
  /** Insert batches in flight at once. @default 2 */
  readonly insertConcurrency?: number;
  /**
   * Emits validated, built and stored at once. Past it, emit() waits for room, in call order,
   * before it does any of that: a burst of emits then costs little more than its payloads, and
   * each waiting emit resolves once its own turn has stored it.
   * @default 2000, or 2 × insertBatchSize × insertConcurrency when that is more
   */
  readonly maxEmitting?: number;
  /** Run store.migrate() in start(). @default true */
  readonly migrate?: boolean;
  /** @default systemClock */
  readonly clock?: Clock;
  /**
   * Where contained errors and warnings go: pino as it is, or any object whose debug/info/warn/error
   * methods take `(fields, message)`. Called as methods on the object. @default silentLogger
   */
  readonly logger?: Logger;
  /** Source of `${ENV}` substitutions in endpoints. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Parent container; createHookline makes a child of it. @default tsyringe's root container */
  readonly container?: DependencyContainer;
  /**
   * OpenTelemetry spans and metrics through `@opentelemetry/api`: `false` turns every hook off
   * (no API call at all); an object names the providers to use instead of the global ones.
   * @default {} (the global tracer and meter providers)
   */
  readonly telemetry?: false | TelemetryOptions;
}

/** Instance settings after validation (frozen). */
export interface ResolvedSettings {
  readonly mode: DispatchMode;
  readonly maxBodyBytes: number;
  readonly insertBatchSize: number;
  readonly insertConcurrency: number;
  readonly maxEmitting: number;
  readonly migrate: boolean;
  readonly workerEnabled: boolean;
  readonly maxInFlight: number;
  readonly maxQueued: number;
  readonly stopGraceMs: number;
  readonly stopStoreTimeoutMs: number;
  /** The `telemetry` option, validated: false, or the providers given (absent: the global ones). */
  readonly telemetry: ResolvedTelemetry;
  /** Not options: fixed tuning of the log writes, kept here so every part reads one place. */
  readonly writes: {
    /** Tries after the first for an insert batch (emit() waits on it). */
    readonly insertRetries: number;
    /** Most attempt results in one store.complete() call. */
    readonly completeBatchSize: number;
    /** How long a small completion batch waits for more results. */
    readonly completeLingerMs: number;
    /** Tries after the first for a completion batch (off every caller's latency path). */
    readonly completeRetries: number;
  };
  readonly worker: {
    readonly batchSize: number;
    readonly pollIntervalMs: number;
    readonly leaseMs: number;
    readonly workerId: string;
    readonly backoffMinMs: number;
    readonly backoffMaxMs: number;
    readonly endpointRefreshMs: number;
    readonly autoDisableAfterMs: number;
    readonly healthCheckMs: number;
  };
}

/** Every key of createHookline's options; the core README's Options table lists the same. */
export const HOOKLINE_OPTION_KEYS = keysOf<HooklineOptions<readonly HooklinePlugin[]>>({
  plugins: true,
  endpoints: true,
  store: true,
  transport: true,
  transports: true,
  mode: true,
  retry: true,
  worker: true,
  maxBodyBytes: true,
  insertBatchSize: true,
  insertConcurrency: true,
  maxEmitting: true,
  migrate: true,
  clock: true,
  logger: true,
  env: true,
  container: true,
  telemetry: true,
});

/** Every key of the `worker` option. */
export const WORKER_OPTION_KEYS = keysOf<WorkerOptions>({
  enabled: true,
  maxInFlight: true,
  maxQueued: true,
  batchSize: true,
  pollIntervalMs: true,
  leaseMs: true,
  workerId: true,
  stopGraceMs: true,
  stopStoreTimeoutMs: true,
  backoffMinMs: true,
  backoffMaxMs: true,
  endpointRefreshMs: true,
  autoDisableAfterMs: true,
  healthCheckMs: true,
});

function int(
  name: string,
  value: unknown,
  fallback: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw invalidOption(name, `an integer from ${min} to ${max}`, value);
  }
  return value;
}

function bool(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") throw invalidOption(name, "a boolean", value);
  return value;
}

/** The transports given in options (undefined: none, use the container's); refuses both keys at once. */
export function givenTransports(
  opts: HooklineOptions<readonly HooklinePlugin[]>,
): readonly Transport[] | undefined {
  const { transport, transports } = opts;
  if (transport !== undefined && transports !== undefined) {
    throw invalidOption(
      "transport, transports",
      "one of the two, not both (transports: [a, b] routes by URL scheme)",
    );
  }
  if (transport !== undefined) return [checkTransport("transport", transport)];
  if (transports === undefined) return undefined;
  if (!Array.isArray(transports) || transports.length === 0) {
    throw invalidOption("transports", "a non-empty array of transports", transports);
  }
  return transports.map((t, i) => checkTransport(`transports[${i}]`, t));
}

function checkTransport(name: string, value: unknown): Transport {
  if (typeof value !== "object" || value === null || typeof (value as Transport).send !== "function") {
    throw invalidOption(name, "a Transport (an object with send())", value);
  }
  return value as Transport;
}

/** Validate every scalar option once; each error names the option. */
export function resolveSettings(opts: HooklineOptions<readonly HooklinePlugin[]>): ResolvedSettings {
  assertKnownKeys(opts, HOOKLINE_OPTION_KEYS, "createHookline options");
  // Not strict-keys: a pino logger has many more keys than the four levels Hookline calls.
  if (opts.logger !== undefined) checkLogger("logger", opts.logger);
  const mode = opts.mode ?? "durable";
  if (mode !== "durable" && mode !== "parallel") {
    throw invalidOption("mode", '"durable" or "parallel"', mode);
  }
  const w = opts.worker ?? {};
  assertKnownKeys(w, WORKER_OPTION_KEYS, "worker");
  if (w.enabled !== undefined && typeof w.enabled !== "boolean") {
    throw invalidOption("worker.enabled", "a boolean", w.enabled);
  }
  if (
    w.workerId !== undefined &&
    (typeof w.workerId !== "string" || w.workerId.length === 0 || w.workerId.length > 100)
  ) {
    throw invalidOption("worker.workerId", "1–100 chars", w.workerId);
  }
  const backoffMinMs = int("worker.backoffMinMs", w.backoffMinMs, 250, 1);
  const insertBatchSize = int("insertBatchSize", opts.insertBatchSize, 500, 1, 10_000);
  const insertConcurrency = int("insertConcurrency", opts.insertConcurrency, 2, 1, 64);
  // Twice what the inserts in flight hold, so the next batches fill while those commit.
  const emitting = Math.max(2_000, 2 * insertBatchSize * insertConcurrency);
  return Object.freeze({
    mode,
    maxBodyBytes: int("maxBodyBytes", opts.maxBodyBytes, 262_144, 2, 64 * 1024 * 1024),
    insertBatchSize,
    insertConcurrency,
    maxEmitting: int("maxEmitting", opts.maxEmitting, emitting, 1, 1_000_000),
    migrate: bool("migrate", opts.migrate, true),
    workerEnabled: w.enabled ?? true,
    maxInFlight: int("worker.maxInFlight", w.maxInFlight, 256, 1, 100_000),
    maxQueued: int("worker.maxQueued", w.maxQueued, 8192, 0, 1_000_000),
    stopGraceMs: int("worker.stopGraceMs", w.stopGraceMs, 10_000, 0),
    stopStoreTimeoutMs: int("worker.stopStoreTimeoutMs", w.stopStoreTimeoutMs, 5_000, 0),
    telemetry: resolveTelemetryOptions(opts.telemetry),
    // Internal: tuned against the stores, not per deployment. 500 results per completion is one
    // transaction in store-knex (its chunk is 500 too); a 3 ms linger lets a batch gather under load.
    writes: Object.freeze({
      insertRetries: 3,
      completeBatchSize: 500,
      completeLingerMs: 3,
      completeRetries: 5,
    }),
    worker: Object.freeze({
      batchSize: int("worker.batchSize", w.batchSize, 100, 1, 10_000),
      pollIntervalMs: int("worker.pollIntervalMs", w.pollIntervalMs, 1_000, 1),
      leaseMs: int("worker.leaseMs", w.leaseMs, 120_000, 10),
      workerId: w.workerId ?? `${hostname()}-${process.pid}-${newId("clm").slice(-6)}`,
      backoffMinMs,
      backoffMaxMs: int("worker.backoffMaxMs", w.backoffMaxMs, 30_000, backoffMinMs),
      endpointRefreshMs: int("worker.endpointRefreshMs", w.endpointRefreshMs, 5_000, 0),
      autoDisableAfterMs: int("worker.autoDisableAfterMs", w.autoDisableAfterMs, 5 * 24 * 3_600_000, 0),
      healthCheckMs: int("worker.healthCheckMs", w.healthCheckMs, 300_000, 1),
    }),
  });
}
