import { runQuickstart } from "./run.js";

const { deliveries } = await runQuickstart();
const failed = deliveries.filter((d) => d.status !== "succeeded");
console.log(
  failed.length === 0
    ? `\nAll ${deliveries.length} deliveries succeeded. The log is in ./hookline.sqlite.`
    : `\n${failed.length} of ${deliveries.length} deliveries did not succeed.`,
);
process.exitCode = failed.length === 0 ? 0 : 1;
