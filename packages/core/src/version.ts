import { createRequire } from "node:module";

// The product version is @hookline/core's package version. The packages are released on their
// own, and every one runs on core, so core's number is the one the transport's default
// `user-agent: Hookline/<version>` and `hookline --version` both report. Read at run time so it
// never drifts from the published package; "../package.json" holds from src/ (tests) and dist/.
const manifest: unknown = createRequire(import.meta.url)("../package.json");

/** The Hookline product version: the installed @hookline/core's package version. */
export const HOOKLINE_VERSION: string =
  typeof manifest === "object" &&
  manifest !== null &&
  typeof (manifest as { version?: unknown }).version === "string"
    ? (manifest as { version: string }).version
    : "0.0.0";
