import { describe, expect, it } from "vitest";
import { parseBenchArgs, parseFlags, USAGE, UsageError } from "./args.js";

const KNOWN = ["1", "2", "3"];
const usageError = (fn: () => unknown): UsageError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof UsageError) return err;
    throw err;
  }
  throw new Error("expected a UsageError");
};

describe("parseBenchArgs", () => {
  it("reads every flag, with defaults for the rest", () => {
    expect(parseBenchArgs([], KNOWN)).toEqual({
      quick: false,
      rounds: 3,
      only: null,
      reseed: false,
      out: null,
    });
    expect(
      parseBenchArgs(["--quick", "--rounds=5", "--only=1, 3", "--reseed", "--out=/tmp/x"], KNOWN),
    ).toEqual({ quick: true, rounds: 5, only: ["1", "3"], reseed: true, out: "/tmp/x" });
  });

  it("names an unknown flag and prints the usage after it", () => {
    const err = usageError(() => parseBenchArgs(["--quik"], KNOWN));
    expect(err.message).toContain("'--quik'");
    expect(err.message).toContain(USAGE);
    expect(err.help).toBe(false);
  });

  it("refuses a value on a switch, a missing value, a positional, bad rounds and unknown scenarios", () => {
    expect(usageError(() => parseBenchArgs(["--quick=yes"], KNOWN)).message).toContain("--quick");
    expect(usageError(() => parseBenchArgs(["--rounds"], KNOWN)).message).toContain("--rounds");
    expect(usageError(() => parseBenchArgs(["quick"], KNOWN)).message).toContain("quick");
    for (const r of ["0", "21", "2.5", "x"])
      expect(usageError(() => parseBenchArgs([`--rounds=${r}`], KNOWN)).message).toContain("--rounds");
    expect(usageError(() => parseBenchArgs(["--only=1,9"], KNOWN)).message).toContain("no scenario 9");
  });

  it("answers --help with the usage, listing every flag", () => {
    const err = usageError(() => parseBenchArgs(["--quick", "--help"], KNOWN));
    expect(err.help).toBe(true);
    expect(err.message).toBe(USAGE);
    for (const flag of ["--quick", "--only", "--rounds", "--reseed", "--out", "--help"])
      expect(USAGE).toContain(flag);
  });
});

describe("parseFlags", () => {
  it("takes positionals only when allowed", () => {
    expect(parseFlags(["a.cpuprofile"], {}, "usage", true).positionals).toEqual(["a.cpuprofile"]);
    expect(usageError(() => parseFlags(["a.cpuprofile"], {}, "usage")).message).toContain("a.cpuprofile");
  });
});
