import { DIAGS } from "./diag/index.js";
import { parseFlags, UsageError, usageOrExit } from "./lib/args.js";

// `npm run bench:diag -- <name> [flags]`: one diagnostic, its output on stdout.
const USAGE = `usage: npm run bench:diag -- <name> [flags]   (<name> --help for its flags)
${DIAGS.map((d) => `  ${d.name.padEnd(16)} ${d.summary}`).join("\n")}`;

const [name, ...rest] = process.argv.slice(2);
await usageOrExit(async () => {
  // The name comes first; a flag in its place is this command's own (--help, or an error).
  if (name === undefined || name.startsWith("-")) {
    parseFlags(process.argv.slice(2), {}, USAGE);
    throw new UsageError(`expected a diagnostic name\n${USAGE}`);
  }
  const diag = DIAGS.find((d) => d.name === name);
  if (!diag) throw new UsageError(`no diagnostic ${JSON.stringify(name)}\n${USAGE}`);
  await diag.run(rest);
});
