import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { HOOKLINE_OPTION_KEYS, WORKER_OPTION_KEYS } from "../options.js";
import { RETRY_OPTION_KEYS } from "../retry/retry-policy.js";

const readme = readFileSync(fileURLToPath(new URL("../../README.md", import.meta.url)), "utf8");

/** The option names in the first cell of each row of the README's "## Options" table. */
function documentedOptions(): string[] {
  const start = readme.indexOf("\n## Options\n");
  if (start < 0) throw new Error('packages/core/README.md has no "## Options" section');
  const end = readme.indexOf("\n## ", start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/^\| `([A-Za-z.]+)` \|/gm)].map((m) => m[1] as string);
}

const sorted = (names: Iterable<string>) => [...names].sort();

describe("the core README's Options table and the validator list the same options", () => {
  const names = documentedOptions();
  const nested = (prefix: string) =>
    names.filter((n) => n.startsWith(`${prefix}.`)).map((n) => n.slice(prefix.length + 1));

  it("has one row per option and no row twice", () => {
    expect(names.length).toBeGreaterThan(20);
    expect(new Set(names).size).toBe(names.length);
  });

  it("top level: every documented option exists and every option is documented", () => {
    const topLevel = new Set(names.map((n) => n.split(".")[0] as string));
    expect(sorted(topLevel)).toEqual(sorted(HOOKLINE_OPTION_KEYS));
  });

  it("worker.*", () => {
    expect(sorted(nested("worker"))).toEqual(sorted(WORKER_OPTION_KEYS));
  });

  it("retry.*", () => {
    expect(sorted(nested("retry"))).toEqual(sorted(RETRY_OPTION_KEYS));
  });
});
