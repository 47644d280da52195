import { createRequire } from "node:module";

// Read at runtime so the user-agent never drifts from the published version; the relative path
// holds from both src/ (tests) and dist/ (published build).
const manifest: unknown = createRequire(import.meta.url)("../package.json");

/** The package version, as published. */
export const VERSION: string =
  typeof manifest === "object" &&
  manifest !== null &&
  typeof (manifest as { version?: unknown }).version === "string"
    ? (manifest as { version: string }).version
    : "0.0.0";

/** The default `user-agent` header. */
export const DEFAULT_USER_AGENT = `Hookline/${VERSION}`;
