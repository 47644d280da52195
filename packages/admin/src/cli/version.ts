import { createRequire } from "node:module";

// Read at run time so `hookline --version` never drifts from the published package; the path
// holds from src/cli (tests) and dist/cli (the bin).
const manifest: unknown = createRequire(import.meta.url)("../../package.json");

/** The @hookline/admin version. */
export const VERSION: string =
  typeof manifest === "object" &&
  manifest !== null &&
  typeof (manifest as { version?: unknown }).version === "string"
    ? (manifest as { version: string }).version
    : "0.0.0";
