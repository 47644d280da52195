import { fileURLToPath } from "node:url";
import ts from "typescript";

/**
 * Vitest global setup. Tests run the admin from its TypeScript sources, but the server serves the
 * dashboard's browser modules from dist; compiling them here (incrementally, as tsc -b does) means
 * a test never serves missing or stale browser code.
 */
export default function buildBrowserModules(): void {
  const project = fileURLToPath(new URL("../browser/tsconfig.json", import.meta.url));
  const problems: string[] = [];
  const collect: ts.DiagnosticReporter = (d) =>
    problems.push(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
  const host = ts.createSolutionBuilderHost(ts.sys, undefined, collect);
  const status = ts.createSolutionBuilder(host, [project], {}).build();
  if (status !== ts.ExitStatus.Success)
    throw new Error(`compiling ${project} failed:\n${problems.join("\n")}`);
}
