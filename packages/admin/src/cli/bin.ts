#!/usr/bin/env node
import { runCli } from "./run-cli.js";

const controller = new AbortController();
for (const sig of ["SIGINT", "SIGTERM"] as const) process.once(sig, () => controller.abort());

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  isTTY: Boolean(process.stdout.isTTY),
  signal: controller.signal,
});
