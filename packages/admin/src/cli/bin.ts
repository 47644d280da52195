#!/usr/bin/env node
import { debugRequested, routeConsole } from "./driver-output.js";
import { runCli } from "./run-cli.js";

routeConsole(debugRequested(process.argv.slice(2)) ? (text) => void process.stderr.write(text) : null);
// A reader that stops early (`| head`) is not a failure worth a stack trace.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code !== "EPIPE") throw err;
  process.exit(process.exitCode ?? 0);
});

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
