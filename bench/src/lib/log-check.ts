import { rebuildStatsRollup } from "@hookline/store-knex";
import knexFactory, { type Knex } from "knex";

/** What the log holds after a run: the bench's proof that nothing was skipped to win a figure. */
export interface LogCheck {
  readonly expected: number;
  readonly deliveries: number;
  readonly succeeded: number;
  /** Succeeded deliveries that have a successful attempt row. */
  readonly succeededWithAttempt: number;
  readonly attempts: number;
  /** Non-zero cells of the stats roll-up the run's writes kept. */
  readonly rollupCells: number;
  /** Whether those cells equal a rebuild of the roll-up from the log. */
  readonly rollupExact: boolean;
  readonly ok: boolean;
}

/** The roll-up part of a check's detail line. */
export const rollupDetail = (log: LogCheck): string =>
  `stats roll-up ${log.rollupExact ? "matches" : "DIFFERS from"} a rebuild from the log (${log.rollupCells} cells)`;

/**
 * The roll-up cells as the run's writes left them, then as a rebuild from the log makes them:
 * equal when every completion counted itself exactly, under the run's real concurrency. Runs
 * after the run has drained (the rebuild needs no writer running); it replaces the cells.
 */
async function rollupCheck(db: Knex, prefix: string): Promise<{ cells: number; exact: boolean }> {
  const cells = async () =>
    (
      (await db(`${prefix}stats_hourly`)
        .where("n", "<>", 0)
        .orderBy(["hour_start", "event_code", "endpoint_id", "cell", "v"])
        .select("hour_start", "event_code", "endpoint_id", "cell", "v", "n")) as Record<string, unknown>[]
    ).map((r) =>
      [Number(r.hour_start), r.event_code, r.endpoint_id, r.cell, Number(r.v), Number(r.n)].join(" "),
    );
  const kept = await cells();
  await rebuildStatsRollup(db, { tablePrefix: prefix });
  const rebuilt = await cells();
  return {
    cells: kept.length,
    exact: kept.length === rebuilt.length && kept.every((c, i) => c === rebuilt[i]),
  };
}

/** Deliveries of `prefix` in any of `statuses`. */
async function countStatus(db: Knex, prefix: string, statuses: readonly string[]): Promise<number> {
  const [r] = await db(`${prefix}deliveries`).whereIn("status", statuses).count({ n: "*" });
  return Number(r?.n ?? 0);
}

/** Deliveries not yet finished: shrinks to 0 as a run drains, so polling it gets cheaper. */
export function openCount(db: Knex, prefix: string): Promise<number> {
  return countStatus(db, prefix, ["pending", "sending"]);
}

/** Deliveries logged as succeeded. */
export function succeededCount(db: Knex, prefix: string): Promise<number> {
  return countStatus(db, prefix, ["succeeded"]);
}

/** Count every delivery and attempt of `prefix`, and whether all `expected` succeeded with an attempt. */
export async function checkLog(db: Knex, prefix: string, expected: number): Promise<LogCheck> {
  const d = `${prefix}deliveries`;
  const a = `${prefix}attempts`;
  const [all] = await db(d).count({ n: "*" });
  const [ok] = await db(d).where({ status: "succeeded" }).count({ n: "*" });
  const [att] = await db(a).count({ n: "*" });
  const [withAttempt] = await db(d)
    .where(`${d}.status`, "succeeded")
    .whereExists(
      db(a)
        .select(db.raw("1"))
        .whereRaw("??.delivery_id = ??.id", [a, d])
        .andWhere(`${a}.outcome`, "success"),
    )
    .count({ n: "*" });
  const rollup = await rollupCheck(db, prefix);
  const r = {
    expected,
    deliveries: Number(all?.n ?? 0),
    succeeded: Number(ok?.n ?? 0),
    succeededWithAttempt: Number(withAttempt?.n ?? 0),
    attempts: Number(att?.n ?? 0),
    rollupCells: rollup.cells,
    rollupExact: rollup.exact,
  };
  return {
    ...r,
    ok:
      r.deliveries === expected &&
      r.succeeded === expected &&
      r.succeededWithAttempt === expected &&
      r.rollupExact,
  };
}

/** checkLog on its own short-lived pool (for callers that hold no knex instance). */
export async function checkLogWith(config: Knex.Config, prefix: string, expected: number): Promise<LogCheck> {
  const db = knexFactory(config);
  try {
    return await checkLog(db, prefix, expected);
  } finally {
    await db.destroy();
  }
}
