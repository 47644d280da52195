import type { Command } from "commander";
import type { CliContext } from "../context.js";

export function registerMigrate(program: Command, ctx: CliContext): void {
  program
    .command("migrate")
    .description("create or upgrade the delivery log's schema (idempotent)")
    .action(async () => {
      await (await ctx.store()).migrate();
      ctx.out(`Schema is up to date (store from ${(await ctx.config()).path}).`);
    });
}
