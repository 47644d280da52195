import { counterSum, type NoopExportSdk, noopExportSdk } from "../lib/otel-sdk.js";
import { BODY_BYTES } from "../lib/payload.js";
import { type Check, type Figure, figure, type RoundResult, type Scenario } from "../lib/scenario.js";
import { endToEnd } from "./end-to-end.js";

const sizes = (quick: boolean) => ({ events: quick ? 300 : 10_000, triplesPerRound: quick ? 1 : 3 });

/** How Hookline's OpenTelemetry hooks are set up in one run. */
export interface TelemetryVariant {
  /** Figure key part: `telemetry.<name>.rate`. */
  readonly name: "off" | "api" | "sdk";
  readonly label: string;
}

export const VARIANTS: readonly TelemetryVariant[] = [
  { name: "off", label: "telemetry: false" },
  { name: "api", label: "hooks on, no SDK" },
  { name: "sdk", label: "SDK, no-op exporter" },
];

/**
 * The variants of the k-th triple (0-based, counted over the whole run): rotated by one each
 * time, so each variant runs first, second and third equally often.
 */
export function variantOrder(k: number): TelemetryVariant[] {
  const i = k % VARIANTS.length;
  return [...VARIANTS.slice(i), ...VARIANTS.slice(0, i)];
}

/** One durable end-to-end run on MariaDB (scenario 3's shape) with the variant's telemetry. */
async function runVariant(
  v: TelemetryVariant,
  n: number,
): Promise<{ figures: Figure[]; checks: Check[]; info: Record<string, unknown> }> {
  const key = `telemetry.${v.name}`;
  const label = `${v.label} (mariadb durable)`;
  const sdk = v.name === "sdk" ? noopExportSdk() : undefined;
  try {
    // "api" passes no option: the global providers, the API's no-ops while no SDK is registered.
    const telemetry =
      v.name === "off"
        ? { telemetry: false as const }
        : sdk
          ? { telemetry: { tracerProvider: sdk.tracerProvider, meterProvider: sdk.meterProvider } }
          : {};
    const r = await endToEnd("mariadb", "durable", n, { key, label, ...telemetry });
    const cpu = figure(`${key}.cpu`, `${label}: bench process CPU per delivery`, "µs", r.cpuUsPerDelivery);
    const checks = [r.check];
    if (sdk) checks.push(await recordedBy(sdk, n, label));
    return { figures: [...r.figures, cpu], checks, info: r.info };
  } finally {
    await sdk?.close();
  }
}

/** The SDK variant must have recorded every event and attempt, or it measured nothing. */
async function recordedBy(sdk: NoopExportSdk, n: number, label: string): Promise<Check> {
  const { spans, metrics } = await sdk.collect();
  const emitted = counterSum(metrics, "hookline.events.emitted");
  const succeeded = counterSum(metrics, "hookline.attempts", { "hookline.outcome": "success" });
  return {
    name: `${label}: every emit and attempt recorded by the SDK`,
    // One emit and one attempt span per delivery; the batch processor drops spans only when its
    // queue (2,048) fills faster than the exporter empties it.
    ok: emitted === n && succeeded === n && spans === 2 * n,
    detail: `hookline.events.emitted ${emitted}/${n}; successful hookline.attempts ${succeeded}/${n}; ${spans}/${2 * n} spans exported`,
  };
}

/**
 * 10. What Hookline's OpenTelemetry instrumentation costs end to end: scenario 3's durable run on
 * MariaDB with `telemetry: false`, with the hooks on and no SDK, and with an SDK whose exporter
 * does nothing. Several triples per round, so each figure has one value per triple and each
 * ratio pairs runs of the same triple. Besides deliveries/s, the bench process's CPU per delivery,
 * which other processes competing for the cores disturb less.
 */
export const telemetryOverhead: Scenario = {
  id: "10",
  title: "Telemetry overhead (MariaDB durable: off, hooks without SDK, SDK with no-op exporter)",
  settings: (quick) => ({
    ...sizes(quick),
    mode: "durable",
    order: "off, api, sdk in the first triple, rotated by one each triple",
    off: "telemetry: false (no OpenTelemetry call at all)",
    api: "telemetry option absent: the global providers of @opentelemetry/api, no SDK registered (no-op)",
    sdk: "telemetry: { tracerProvider, meterProvider }: BasicTracerProvider + BatchSpanProcessor (defaults) with an exporter that succeeds at once, MeterProvider with a reader collected after the run, AsyncLocalStorageContextManager registered for the run",
    hookline: "product defaults (maxInFlight 256, maxQueued 8192, insertBatchSize 500, insertConcurrency 2)",
    bodyBytes: BODY_BYTES,
  }),
  async round(ctx): Promise<RoundResult> {
    const { events, triplesPerRound } = sizes(ctx.quick);
    const figures: Figure[] = [];
    const checks: Check[] = [];
    let info: Record<string, unknown> = {};
    for (let t = 0; t < triplesPerRound; t++) {
      const order = variantOrder((ctx.round - 1) * triplesPerRound + t);
      ctx.log(`triple ${t + 1}/${triplesPerRound}: ${order.map((v) => v.name).join(", ")}`);
      for (const v of order) {
        const r = await runVariant(v, events);
        figures.push(...r.figures);
        checks.push(...r.checks);
        info = { ...info, ...r.info };
      }
    }
    return { figures, checks, info };
  },
};
