import type { SubjectKey } from "@hookline/core";
import type { Knex } from "knex";
import type { StoreContext } from "../context.js";
import { UNFINISHED_SQL } from "../migrations/0008-subject-order.js";
import { chunk } from "../util/chunk.js";
import { num } from "../util/convert.js";
import { groupBy } from "../util/group.js";
import { type Binding, quoteId, rawRows, run, tuple } from "../util/sql.js";
import { indexHint } from "./claim-ordering.js";

/** A row's place in emit order. */
export interface LinePlace {
  readonly id: string;
  readonly createdAt: number;
}

/** An unfinished delivery being sent, and by which claimer. */
export interface SendingRow extends LinePlace {
  readonly workerId: string | null;
  readonly claimToken: string | null;
}

/** What stands in one subject's line: the rows being sent, and its first pending row. */
export interface SubjectLine {
  readonly sending: SendingRow[];
  firstPending: LinePlace | null;
}

/** `a` sorts before `b` in emit order (created_at, then id, as the SQL probes compare them). */
export const placedBefore = (a: LinePlace, b: LinePlace): boolean =>
  a.createdAt < b.createdAt || (a.createdAt === b.createdAt && a.id < b.id);

export const lineKey = (endpointId: string, subject: string): string => `${endpointId}\u0000${subject}`;

const SUBJECTS_PER_READ = 500;

/**
 * `(endpoint_id = ? AND subject IN (…)) OR …` for `keys`, with its values. Built by hand: knex's
 * builder spent about 1 KB per ordered delivery on two IN lists of 500 subjects.
 */
function inSubjects(keys: readonly SubjectKey[]): { readonly sql: string; readonly values: Binding[] } {
  const byEndpoint = groupBy(
    keys,
    (k) => k.endpointId,
    (k) => k.subject,
  );
  const terms: string[] = [];
  const values: Binding[] = [];
  for (const [endpointId, subjects] of byEndpoint) {
    values.push(endpointId, ...subjects);
    terms.push(`(endpoint_id = ? AND subject IN ${tuple(subjects.length)})`);
  }
  return { sql: terms.join(" OR "), values };
}

/**
 * The lines of `keys`' subjects in one statement per 500 subjects, however many deliveries ask:
 * the sending rows of all of them (a range of dlv_subject_order_idx per subject: few rows, as
 * ordering keeps one in flight per subject plus what its claimer queued), and the time of each
 * subject's first pending row (MIN over the same index: one entry per subject where MySQL skips
 * through it, the subject's pending entries where PostgreSQL reads them). One statement, because
 * on READ COMMITTED two reads each see their own moment: a claim committed between them turns a
 * pending row into a sending one, and neither read would see it.
 */
export async function subjectLines(
  ctx: StoreContext,
  trx: Knex.Transaction,
  keys: readonly SubjectKey[],
): Promise<Map<string, SubjectLine>> {
  const lines = new Map<string, SubjectLine>(
    keys.map((k) => [lineKey(k.endpointId, k.subject), { sending: [], firstPending: null }]),
  );
  const table = quoteId(ctx.dialect, ctx.t.deliveries);
  const from = `FROM ${table}${indexHint(ctx)} WHERE ${table}.${UNFINISHED_SQL}`;
  for (const part of chunk(keys, SUBJECTS_PER_READ)) {
    // Both arms read the same subjects.
    const where = inSubjects(part);
    // The pending arm's id stays NULL: that marks the first-pending rows apart from the sending ones.
    const sql =
      `SELECT id, endpoint_id, subject, created_at, worker_id, claim_token ${from}` +
      ` AND status = 'sending' AND (${where.sql})` +
      " UNION ALL SELECT NULL AS id, endpoint_id, subject, MIN(created_at) AS created_at," +
      ` NULL AS worker_id, NULL AS claim_token ${from}` +
      ` AND status = 'pending' AND (${where.sql}) GROUP BY endpoint_id, subject`;
    const bindings = [...where.values, ...where.values];
    const rows = rawRows<Record<string, unknown>>(ctx.dialect, await run(trx, sql, bindings));
    for (const r of rows) {
      const line = lines.get(lineKey(String(r.endpoint_id), String(r.subject)));
      if (!line) continue;
      // The first pending row's time; its id is left out (""), so a tie in the same millisecond
      // counts as ahead: the delivery is put back, which the claim then orders exactly.
      if (r.id === null || r.id === undefined) line.firstPending = { id: "", createdAt: num(r.created_at) };
      else
        line.sending.push({
          id: String(r.id),
          createdAt: num(r.created_at),
          workerId: (r.worker_id as string | null) ?? null,
          claimToken: (r.claim_token as string | null) ?? null,
        });
    }
  }
  return lines;
}
