/** What the page remembers between loads: the API's metadata, the filter and paging, the open delivery. */
import type { Meta } from "./api-types.js";

export interface DashboardState {
  meta: Meta | null;
  filter: Record<string, string>;
  /** The cursor of the page shown; null for the newest. */
  cursor: string | null;
  /** Cursors of the pages before this one, to go back ("newer"). */
  previous: (string | null)[];
  nextCursor: string | null;
  /** The delivery open in the detail panel. */
  selected: string | null;
  /** Counts deliveries loads, so only the latest one draws the table. */
  loads: number;
}

export const state: DashboardState = {
  meta: null,
  filter: {},
  cursor: null,
  previous: [],
  nextCursor: null,
  selected: null,
  loads: 0,
};
