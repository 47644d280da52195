import { type ParseArgsConfig, parseArgs } from "node:util";

type FlagSpec = NonNullable<ParseArgsConfig["options"]>;

/** A bad command line (the message names the flag, the usage follows it), or `--help`. */
export class UsageError extends Error {
  override readonly name = "UsageError";
  /** True for `--help`: the message is the usage alone, for stdout. */
  readonly help: boolean;
  constructor(message: string, help = false) {
    super(message);
    this.help = help;
  }
}

const HELP = { help: { type: "boolean", short: "h" } } as const;

type Parsed<O extends FlagSpec> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O & typeof HELP; strict: true; allowPositionals: boolean }>
>;

/**
 * `node:util` parseArgs, strict, with `--help` known everywhere: an unknown flag, a value given to
 * a boolean, a missing value or (unless allowed) a positional throws UsageError with the usage;
 * `--help` throws UsageError with `help` set.
 */
export function parseFlags<const O extends FlagSpec>(
  argv: readonly string[],
  options: O,
  usage: string,
  allowPositionals = false,
): Parsed<O> {
  let parsed: Parsed<O>;
  try {
    parsed = parseArgs({ args: [...argv], options: { ...options, ...HELP }, strict: true, allowPositionals });
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n${usage}`);
  }
  if ((parsed.values as { help?: boolean }).help) throw new UsageError(usage, true);
  return parsed;
}

/** An integer flag within [min, max], or `fallback` when it was not given. */
export function intFlag(
  value: string | undefined,
  flag: string,
  fallback: number,
  range: { min: number; max: number; usage: string },
): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < range.min || n > range.max)
    throw new UsageError(
      `--${flag}: expected an integer from ${range.min} to ${range.max}, got ${JSON.stringify(value)}\n${range.usage}`,
    );
  return n;
}

/**
 * For entry points: run `work`; on a UsageError print it and exit (`--help`: stdout, 0; a bad
 * flag: stderr, 2). Other errors propagate.
 */
export async function usageOrExit<T>(work: () => T | Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    if (err.help) console.log(err.message);
    else console.error(err.message);
    process.exit(err.help ? 0 : 2);
  }
}

export interface BenchArgs {
  readonly quick: boolean;
  readonly rounds: number;
  readonly only: readonly string[] | null;
  readonly reseed: boolean;
  readonly out: string | null;
}

export const USAGE = `usage: npm run bench -- [--quick] [--only=1,3,7] [--rounds=N] [--reseed] [--out=DIR]
  --quick     smoke sizes (a few hundred events per scenario)
  --only      scenario ids to run (default: all, 1–12)
  --rounds    rounds per scenario, each figure the median over them (1–20, default 3)
  --reseed    rebuild the reusable 1M admin-query seed (tables bench1m_*)
  --out       where to write <timestamp>.json and .md (default bench/results)
  --help      print this`;

/** The flags of `npm run bench`; throws UsageError naming anything unknown or malformed. */
export function parseBenchArgs(argv: readonly string[], known: readonly string[]): BenchArgs {
  const { values } = parseFlags(
    argv,
    {
      quick: { type: "boolean" },
      only: { type: "string" },
      rounds: { type: "string" },
      reseed: { type: "boolean" },
      out: { type: "string" },
    },
    USAGE,
  );
  const rounds = intFlag(values.rounds, "rounds", 3, { min: 1, max: 20, usage: USAGE });
  const only = values.only === undefined ? null : values.only.split(",").map((s) => s.trim());
  const unknown = only?.filter((id) => !known.includes(id)) ?? [];
  if (unknown.length > 0)
    throw new UsageError(`--only: no scenario ${unknown.join(", ")} (known: ${known.join(", ")})\n${USAGE}`);
  if (values.out === "") throw new UsageError(`--out: expected a directory\n${USAGE}`);
  return {
    quick: values.quick ?? false,
    rounds,
    only,
    reseed: values.reseed ?? false,
    out: values.out ?? null,
  };
}
