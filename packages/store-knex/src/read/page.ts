import { invalidOption, type Page, type PageRequest } from "@hookline/core";
import type { Knex } from "knex";
import { num } from "../util/convert.js";

/** Rows one page may ask for. */
export const MAX_PAGE = 1000;

const COMPOSITE = /^(\d{1,16})\.(.{1,64})$/;

const invalid = (field: string, expected: string, got: unknown) => invalidOption(field, expected, got);

/** Where a page starts: after this (created_at, id) in newest-first order. */
async function decodeCursor(
  db: Knex,
  table: string,
  cursor: string,
): Promise<{ createdAt: number; id: string }> {
  const m = COMPOSITE.exec(cursor);
  if (m) return { createdAt: Number(m[1]), id: m[2]! };
  // A bare id (what an id-ordered store hands out) still works: resume after that row.
  const row = (await db(table).select("created_at").where("id", cursor).first()) as
    | { created_at: unknown }
    | undefined;
  if (!row) throw invalid("page.cursor", "the nextCursor of a previous page", cursor);
  return { createdAt: num(row.created_at), id: cursor };
}

/**
 * Newest first: ordered by (created_at, id) descending, so a created_at range and the order come
 * from one index. Ids are time-ordered, so this is id order whenever ids and creation times
 * agree. One extra row is read to learn whether a next page exists; the cursor names the last
 * row returned as `<created_at ms>.<id>`.
 */
export async function pageNewestFirst<T extends { id: string; createdAt: Date }>(
  db: Knex,
  table: string,
  q: Knex.QueryBuilder,
  page: PageRequest,
  map: (row: Record<string, unknown>) => T,
): Promise<Page<T>> {
  if (typeof page !== "object" || page === null) throw invalid("page", "an object", page);
  if (!Number.isInteger(page.limit) || page.limit < 1 || page.limit > MAX_PAGE)
    throw invalid("page.limit", `an integer from 1 to ${MAX_PAGE}`, page.limit);
  if (page.cursor != null && typeof page.cursor !== "string")
    throw invalid("page.cursor", "a string or null", page.cursor);
  if (page.cursor) {
    const after = await decodeCursor(db, table, page.cursor);
    q.where((w) =>
      w
        .where("created_at", "<", after.createdAt)
        .orWhere((same) => same.where("created_at", after.createdAt).andWhere("id", "<", after.id)),
    );
  }
  const rows = (await q
    .orderBy([
      { column: "created_at", order: "desc" },
      { column: "id", order: "desc" },
    ])
    .limit(page.limit + 1)) as Record<string, unknown>[];
  const items = rows.slice(0, page.limit).map(map);
  const last = items[items.length - 1];
  return {
    items,
    nextCursor: rows.length > page.limit && last ? `${last.createdAt.getTime()}.${last.id}` : null,
  };
}
