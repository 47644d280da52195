import {
  type DeliveryFilter,
  type DeliveryStatus,
  type DeliveryStore,
  HooklineError,
  TERMINAL_STATUSES,
} from "@hookline/core";
import { invalidOption } from "../errors.js";
import { readDelivery } from "./records.js";

/** Statuses a bulk replay picks when the filter names none: what was not delivered. */
export const DEFAULT_REPLAY_STATUSES: readonly DeliveryStatus[] = ["failed", "cancelled"];
/** Largest bulk replay; past it the filter must be narrowed. */
export const MAX_BULK_REPLAY = 100_000;
const PAGE = 1000;
const CHUNK = 200;

/** What a bulk replay would touch. */
export interface ReplayPlan {
  readonly ids: readonly string[];
  readonly byStatus: Readonly<Partial<Record<DeliveryStatus, number>>>;
  readonly byEndpoint: Readonly<Record<string, number>>;
  /**
   * Cancelled deliveries among them that a newer state of their subject superseded
   * (HOOKLINE_SUPERSEDED): replaying one sends that older state after the newer one.
   */
  readonly superseded: number;
}

/** The code a superseded delivery is cancelled with. */
export const SUPERSEDED_CODE = "HOOKLINE_SUPERSEDED";

/** Outcome of a replay: moved back to pending, or skipped because it stopped being terminal meanwhile. */
export interface ReplayResult {
  readonly requeued: number;
  readonly skipped: number;
}

const bump = (m: Record<string, number>, k: string) => {
  m[k] = (m[k] ?? 0) + 1;
};

/** List the terminal deliveries a filter matches (default statuses: failed, cancelled). */
export async function planReplay(store: DeliveryStore, filter: DeliveryFilter): Promise<ReplayPlan> {
  const f = { ...filter, status: filter.status ?? DEFAULT_REPLAY_STATUSES };
  const ids: string[] = [];
  const byStatus: Record<string, number> = {};
  const byEndpoint: Record<string, number> = {};
  let superseded = 0;
  let cursor: string | null = null;
  do {
    const page = await store.listDeliveries(f, { limit: PAGE, cursor });
    for (const d of page.items) {
      if (!TERMINAL_STATUSES.includes(d.status)) continue;
      ids.push(d.id);
      bump(byStatus, d.status);
      bump(byEndpoint, d.endpointId);
      if (d.status === "cancelled" && d.lastErrorCode === SUPERSEDED_CODE) superseded++;
    }
    if (ids.length > MAX_BULK_REPLAY) {
      throw invalidOption("filter", `at most ${MAX_BULK_REPLAY} matching deliveries (narrow it by time)`);
    }
    cursor = page.nextCursor;
  } while (cursor);
  return { ids, byStatus, byEndpoint, superseded };
}

/**
 * Requeue in small chunks so progress can be shown and no statement runs long. The worker
 * re-sends each one under the same webhook-id with a fresh signature.
 */
export async function executeReplay(
  store: DeliveryStore,
  ids: readonly string[],
  onProgress: (done: number, total: number) => void = () => {},
): Promise<ReplayResult> {
  let requeued = 0;
  for (let i = 0; i < ids.length; i += CHUNK) {
    const part = ids.slice(i, i + CHUNK);
    requeued += await store.requeue({ ids: part });
    onProgress(Math.min(i + CHUNK, ids.length), ids.length);
  }
  return { requeued, skipped: ids.length - requeued };
}

/** Replay one delivery: it must exist and be terminal. */
export async function replayOne(store: DeliveryStore, id: string, what = "id"): Promise<ReplayResult> {
  const d = await readDelivery(store, id, what);
  if (!TERMINAL_STATUSES.includes(d.status)) {
    throw new HooklineError(
      "HOOKLINE_INVALID_OPTION",
      `${what}: expected a ${TERMINAL_STATUSES.join(", ")} delivery, got ${id} which is ${d.status} (it will be sent anyway)`,
      // The request was well-formed; the delivery's state is what conflicts (HTTP 409).
      { details: { conflict: true, status: d.status } },
    );
  }
  const requeued = await store.requeue({ ids: [d.id] });
  return { requeued, skipped: 1 - requeued };
}
