import type { TransactionOutcome } from "@hookline/core";
import type { Knex } from "knex";

/** The outermost transaction's own ROLLBACK; a savepoint's is `ROLLBACK TO SAVEPOINT …`. */
const ROLLBACK = /^\s*ROLLBACK\s*;?\s*$/i;

function isTransaction(trx: unknown): trx is Knex.Transaction {
  const t = trx as Partial<Knex.Transaction> | undefined;
  return typeof trx === "function" && t?.isTransaction === true && t.executionPromise instanceof Promise;
}

/**
 * How the knex transaction `trx` ends. A savepoint (a transaction nested in another) ends for good
 * only with its outermost transaction, so that one is followed. Its executionPromise rejects on a
 * rollback with an error, but resolves on a commit and also on `trx.rollback()` without one (and
 * on a handler that rejects with undefined): the transaction's own `ROLLBACK` statement, seen on
 * its query events, tells those apart. Undefined for anything that is not a knex transaction.
 */
export function transactionOutcome(trx: unknown): Promise<TransactionOutcome> | undefined {
  if (!isTransaction(trx)) return undefined;
  let root = trx;
  while (root.parentTransaction) root = root.parentTransaction;
  let rolledBack = false;
  const onQuery = (q: { sql?: unknown }) => {
    if (typeof q?.sql === "string" && ROLLBACK.test(q.sql)) rolledBack = true;
  };
  root.on("query", onQuery);
  return root.executionPromise
    .then(
      (): TransactionOutcome => (rolledBack ? "rolled-back" : "committed"),
      (): TransactionOutcome => "rolled-back",
    )
    .finally(() => root.off("query", onQuery));
}
