import { HooklineError, type RedactReport } from "@hookline/core";
import type { Command } from "commander";
import { redactStoredRequest } from "../../ops/records.js";
import { parseLimit } from "../../query/parse-limit.js";
import type { CliContext } from "../context.js";
import { configuredShowHeaders } from "../show-headers.js";

const DEFAULT_BATCH = 500;
const MAX_BATCH = 10_000;

const attempts = (n: number) => `${n} attempt${n === 1 ? "" : "s"}`;

export function registerRedact(program: Command, ctx: CliContext): void {
  program
    .command("redact")
    .description(
      "rewrite stored attempts by the log's rule: query values, userinfo and request header values redacted, except Hookline's own headers and each endpoint's showHeaders",
    )
    .option("--dry-run", "count the attempts that would change; write nothing")
    .option("--batch-size <n>", `attempts per transaction, 1 to ${MAX_BATCH}`, String(DEFAULT_BATCH))
    .option("--json", "print JSON: { dryRun, scanned, changed }")
    .action(async (flags: { dryRun?: boolean; batchSize: string; json?: boolean }) => {
      const batchSize = parseLimit("--batch-size", flags.batchSize, DEFAULT_BATCH, MAX_BATCH);
      const store = await ctx.store();
      if (typeof store.redactAttempts !== "function") {
        throw new HooklineError(
          "HOOKLINE_INVALID_CONFIG",
          "store: expected a DeliveryStore with redactAttempts (a store from this Hookline version), got one without it",
        );
      }
      const show = await configuredShowHeaders(ctx);
      const dryRun = flags.dryRun === true;
      // A status line on a terminal only: JSON goes to scripts, and the total is not known ahead.
      const live = ctx.io.isTTY && !flags.json;
      const report = await store.redactAttempts((a) => redactStoredRequest(a, show(a.endpointId)), {
        batchSize,
        dryRun,
        ...(live
          ? {
              onProgress: (p: RedactReport) =>
                void ctx.io.stderr.write(`\rredact: ${p.scanned} scanned, ${p.changed} to change`),
            }
          : {}),
      });
      if (live) ctx.io.stderr.write("\n");
      if (flags.json) return ctx.json({ dryRun, ...report });
      if (dryRun) {
        return ctx.out(`Dry run: ${attempts(report.changed)} of ${report.scanned} would be rewritten.`);
      }
      ctx.out(
        `Rewrote ${attempts(report.changed)} of ${report.scanned}; the others already followed the rule.`,
      );
    });
}
