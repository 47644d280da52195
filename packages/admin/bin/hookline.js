#!/usr/bin/env node
// The package's bin lives outside dist so that an install before the first build can still link
// it; without the build there is nothing to run, and saying so beats a module-not-found trace.
import { existsSync } from "node:fs";

const cli = new URL("../dist/cli/bin.js", import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write(
    "hookline: @hookline/admin is not built (dist/cli/bin.js is missing): run npm run build\n",
  );
  process.exit(1);
}
await import(cli.href);
