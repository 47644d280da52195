import { runObservability } from "./run.js";

// `--console-spans` also prints every span in full (the SDK's ConsoleSpanExporter) as it ends.
const { deliveries } = await runObservability({ consoleSpans: process.argv.includes("--console-spans") });
const failed = deliveries.filter((d) => d.status !== "succeeded");
console.log(
  failed.length === 0
    ? `\nAll ${deliveries.length} deliveries succeeded.`
    : `\n${failed.length} of ${deliveries.length} deliveries did not succeed.`,
);
process.exitCode = failed.length === 0 ? 0 : 1;
