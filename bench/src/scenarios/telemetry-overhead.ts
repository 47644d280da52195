import { CALLER_REQUEST_CONTEXT, counterSum, type NoopExportSdk, noopExportSdk } from "../lib/otel-sdk.js";
import { BODY_BYTES } from "../lib/payload.js";
import { type Check, type Figure, figure, type RoundResult, type Scenario } from "../lib/scenario.js";
import { endToEnd } from "./end-to-end.js";

const sizes = (quick: boolean) => ({ events: quick ? 300 : 10_000, setsPerRound: quick ? 1 : 3 });

/** How Hookline's OpenTelemetry hooks and the process's SDK are set up in one run. */
export interface TelemetryVariant {
  /** Figure key part: `telemetry.<name>.rate`. */
  readonly name: "off" | "api" | "off-sdk" | "sdk";
  readonly label: string;
  /** Hookline's hooks on (the option absent: the global providers), or `telemetry: false`. */
  readonly hooks: boolean;
  /** An SDK registered globally for the run (context manager and providers). */
  readonly sdk: boolean;
  /** The variant this one is judged against: the same process environment with the hooks off. */
  readonly baseline?: TelemetryVariant["name"];
}

export const VARIANTS: readonly TelemetryVariant[] = [
  { name: "off", label: "telemetry: false, no SDK", hooks: false, sdk: false },
  { name: "api", label: "hooks on, no SDK", hooks: true, sdk: false, baseline: "off" },
  { name: "off-sdk", label: "telemetry: false, SDK registered", hooks: false, sdk: true },
  {
    name: "sdk",
    label: "hooks on, SDK registered (no-op exporter)",
    hooks: true,
    sdk: true,
    baseline: "off-sdk",
  },
];

/**
 * The variants of the k-th set (0-based, counted over the whole run): rotated by one each time,
 * so each variant runs in each position equally often.
 */
export function variantOrder(k: number): TelemetryVariant[] {
  const i = k % VARIANTS.length;
  return [...VARIANTS.slice(i), ...VARIANTS.slice(0, i)];
}

interface VariantRun {
  figures: Figure[];
  checks: Check[];
  info: Record<string, unknown>;
  cpuUs: number;
}

/** One durable end-to-end run on MariaDB (scenario 3's shape) with the variant's telemetry. */
async function runVariant(v: TelemetryVariant, n: number): Promise<VariantRun> {
  const key = `telemetry.${v.name}`;
  const label = `${v.label} (mariadb durable)`;
  const sdk = v.sdk ? noopExportSdk() : undefined;
  try {
    // Hooks on pass no option: the global providers, the API's no-ops while no SDK is registered.
    const telemetry = v.hooks ? {} : { telemetry: false as const };
    const r = await endToEnd("mariadb", "durable", n, {
      key,
      label,
      ...telemetry,
      callerContext: CALLER_REQUEST_CONTEXT,
    });
    const cpu = figure(`${key}.cpu`, `${label}: bench process CPU per delivery`, "µs", r.cpuUsPerDelivery);
    const checks = [r.check];
    if (sdk) checks.push(await recordedBy(sdk, v.hooks ? n : 0, label));
    return { figures: [...r.figures, cpu], checks, info: r.info, cpuUs: r.cpuUsPerDelivery };
  } finally {
    await sdk?.close();
  }
}

/**
 * With the hooks on the SDK must have recorded every event and attempt, or it measured nothing;
 * with `telemetry: false` it must have recorded nothing at all.
 */
async function recordedBy(sdk: NoopExportSdk, n: number, label: string): Promise<Check> {
  const { spans, metrics } = await sdk.collect();
  const emitted = counterSum(metrics, "hookline.events.emitted");
  const succeeded = counterSum(metrics, "hookline.attempts", { "hookline.outcome": "success" });
  return {
    name: `${label}: ${n === 0 ? "nothing" : "every emit and attempt"} recorded by the SDK`,
    // One emit and one attempt span per delivery; the batch processor drops spans only when its
    // queue (2,048) fills faster than the exporter empties it.
    ok: emitted === n && succeeded === n && spans === 2 * n,
    detail: `hookline.events.emitted ${emitted}/${n}; successful hookline.attempts ${succeeded}/${n}; ${spans}/${2 * n} spans exported`,
  };
}

/** Each judged variant's CPU per delivery over its baseline's, from runs of the same set. */
function cpuRatios(cpuUs: ReadonlyMap<string, number>): Figure[] {
  return VARIANTS.flatMap((v) => {
    const own = cpuUs.get(v.name);
    const base = v.baseline === undefined ? undefined : cpuUs.get(v.baseline);
    if (own === undefined || base === undefined) return [];
    const label = `${v.label}: CPU per delivery / ${v.baseline}'s`;
    return [figure(`telemetry.${v.name}.cpu-ratio`, label, "×", own / base)];
  });
}

/**
 * 10. What Hookline's OpenTelemetry instrumentation costs end to end: scenario 3's durable run on
 * MariaDB in four variants, each pair judged in the same process environment: `telemetry: false`
 * and the hooks on with no SDK registered (the API's no-ops); `telemetry: false` and the hooks on
 * with an SDK registered globally (context manager and providers) whose exporter does nothing.
 * Several sets of the four per round, so each figure has one value per set and each ratio pairs
 * runs of the same set. Besides deliveries/s, the bench process's CPU per delivery, which other
 * processes competing for the cores disturb less.
 */
export const telemetryOverhead: Scenario = {
  id: "10",
  title: "Telemetry overhead (MariaDB durable: hooks off and on, without and with an SDK registered)",
  settings: (quick) => ({
    ...sizes(quick),
    mode: "durable",
    order: `${VARIANTS.map((v) => v.name).join(", ")} in the first set, rotated by one each set`,
    ...Object.fromEntries(VARIANTS.map((v) => [v.name, v.label])),
    sdkSetup:
      "registered globally for the run (as an application does): AsyncLocalStorageContextManager, BasicTracerProvider + BatchSpanProcessor (defaults) with an exporter that succeeds at once, MeterProvider with a reader collected after the run",
    caller:
      "every variant emits inside the caller's request context (a sampled remote parent made active with context.with, as a traced service's HTTP server instrumentation does around its handler); with an SDK registered this turns AsyncLocalStorage's promise hook on in both judged variants, as in any service whose requests are traced",
    judged: "api against off; sdk against off-sdk (median of per-set ratios)",
    hookline: "product defaults (maxInFlight 256, maxQueued 8192, insertBatchSize 500, insertConcurrency 2)",
    bodyBytes: BODY_BYTES,
  }),
  async round(ctx): Promise<RoundResult> {
    const { events, setsPerRound } = sizes(ctx.quick);
    const figures: Figure[] = [];
    const checks: Check[] = [];
    let info: Record<string, unknown> = {};
    for (let t = 0; t < setsPerRound; t++) {
      const order = variantOrder((ctx.round - 1) * setsPerRound + t);
      ctx.log(`set ${t + 1}/${setsPerRound}: ${order.map((v) => v.name).join(", ")}`);
      const cpuUs = new Map<string, number>();
      for (const v of order) {
        const r = await runVariant(v, events);
        figures.push(...r.figures);
        checks.push(...r.checks);
        cpuUs.set(v.name, r.cpuUs);
        info = { ...info, ...r.info };
      }
      figures.push(...cpuRatios(cpuUs));
    }
    return { figures, checks, info };
  },
};
