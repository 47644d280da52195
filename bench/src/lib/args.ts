export interface BenchArgs {
  readonly quick: boolean;
  readonly rounds: number;
  readonly only: readonly string[] | null;
  readonly reseed: boolean;
  readonly out: string | null;
}

export const USAGE = `usage: npm run bench -- [--quick] [--only=1,3,7] [--rounds=N] [--reseed] [--out=DIR]
  --quick     smoke sizes (a few hundred events per scenario)
  --only      scenario ids to run (default: all, 1–8)
  --rounds    rounds per scenario, each figure the median over them (default 3)
  --reseed    rebuild the reusable 1M admin-query seed (tables bench1m_*)
  --out       where to write <timestamp>.json and .md (default bench/results)`;

/** Parse argv; throws with the usage on anything unknown. */
export function parseArgs(argv: readonly string[], known: readonly string[]): BenchArgs {
  let quick = false;
  let reseed = false;
  let rounds = 3;
  let only: string[] | null = null;
  let out: string | null = null;
  for (const a of argv) {
    const [flag, value] = a.split("=", 2) as [string, string | undefined];
    if (flag === "--quick" && value === undefined) quick = true;
    else if (flag === "--reseed" && value === undefined) reseed = true;
    else if (flag === "--rounds" && value && /^\d+$/.test(value) && Number(value) >= 1 && Number(value) <= 20)
      rounds = Number(value);
    else if (flag === "--only" && value) only = value.split(",").map((s) => s.trim());
    else if (flag === "--out" && value) out = value;
    else throw new Error(`unknown or malformed argument ${JSON.stringify(a)}\n${USAGE}`);
  }
  const unknown = only?.filter((id) => !known.includes(id)) ?? [];
  if (unknown.length > 0)
    throw new Error(`--only: no scenario ${unknown.join(", ")} (known: ${known.join(", ")})\n${USAGE}`);
  return { quick, rounds, only, reseed, out };
}
