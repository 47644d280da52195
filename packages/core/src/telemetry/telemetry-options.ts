import type { MeterProvider, TracerProvider } from "@opentelemetry/api";
import { invalidOption } from "../errors/hookline-error.js";
import { assertKnownKeys, keysOf } from "../util/strict-keys.js";

/**
 * Where an instance's spans and metrics go. Core only calls `@opentelemetry/api`: an application
 * that registers an SDK (before createHookline, so the instruments are made from it) gets them.
 */
export interface TelemetryOptions {
  /** Makes the `hookline.emit` and `hookline.attempt` spans. @default the global tracer provider */
  readonly tracerProvider?: TracerProvider;
  /** Makes the `hookline.*` instruments. @default the global meter provider */
  readonly meterProvider?: MeterProvider;
}

/** The `telemetry` option after validation: false (off) or the providers to use, frozen. */
export type ResolvedTelemetry = false | Readonly<TelemetryOptions>;

/** Every key of the `telemetry` option. */
export const TELEMETRY_OPTION_KEYS = keysOf<TelemetryOptions>({ tracerProvider: true, meterProvider: true });

/** Validate `telemetry`; the global providers are looked up later, only when telemetry is on. */
export function resolveTelemetryOptions(value: unknown): ResolvedTelemetry {
  if (value === false) return false;
  if (value === undefined) return Object.freeze({});
  if (value === true) throw invalidOption("telemetry", "false or { tracerProvider?, meterProvider? }", value);
  assertKnownKeys(value, TELEMETRY_OPTION_KEYS, "telemetry");
  const { tracerProvider, meterProvider } = value;
  if (tracerProvider !== undefined && !hasMethod(tracerProvider, "getTracer")) {
    throw invalidOption(
      "telemetry.tracerProvider",
      "a TracerProvider (an object with getTracer())",
      tracerProvider,
    );
  }
  if (meterProvider !== undefined && !hasMethod(meterProvider, "getMeter")) {
    throw invalidOption(
      "telemetry.meterProvider",
      "a MeterProvider (an object with getMeter())",
      meterProvider,
    );
  }
  return Object.freeze({
    ...(tracerProvider === undefined ? {} : { tracerProvider: tracerProvider as TracerProvider }),
    ...(meterProvider === undefined ? {} : { meterProvider: meterProvider as MeterProvider }),
  });
}

function hasMethod(value: unknown, name: string): boolean {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Record<string, unknown>)[name] === "function"
  );
}
