/** The deliveries table: its filters, paging, and rows that open the detail panel. */
import { api, clearError, query, report } from "./api.js";
import type { DeliveryPage, Meta } from "./api-types.js";
import { showDetail } from "./detail.js";
import { $, badge, clear, fmtMs, fmtTime, h } from "./dom.js";
import { state } from "./state.js";

const PAGE_SIZE = 25;
const FILTERS = ["status", "event", "endpoint", "subject", "since", "until"];

function options(select: HTMLSelectElement, values: readonly string[]): void {
  for (const v of values) select.appendChild(h("option", { value: v }, [v]));
}

export function fillFilters(meta: Meta): void {
  const form = $<HTMLFormElement>("#filters");
  const select = (name: string) => $<HTMLSelectElement>(`select[name="${name}"]`, form);
  options(select("status"), meta.statuses);
  options(select("event"), meta.eventCodes);
  options(select("endpoint"), meta.endpoints);
}

function readFilters(): Record<string, string> {
  const f = new FormData($<HTMLFormElement>("#filters"));
  const out: Record<string, string> = {};
  for (const k of FILTERS) {
    const v = String(f.get(k) || "").trim();
    if (v) out[k] = v;
  }
  return out;
}

function deliveryRow(d: DeliveryPage["items"][number]): HTMLTableRowElement {
  return h(
    "tr",
    {
      "data-id": d.id,
      class: d.id === state.selected ? "selected" : null,
      onclick: () => showDetail(d.id).catch(report),
    },
    [
      h("td", { class: "mono" }, [fmtTime(d.createdAt)]),
      h("td", {}, [d.eventCode]),
      h("td", {}, [d.endpointId]),
      h("td", {}, [d.subject || "-"]),
      h("td", {}, [badge(d.status)]),
      h("td", {}, [String(d.attempts)]),
      h("td", {}, [d.lastStatus === null ? "-" : String(d.lastStatus)]),
      h("td", { class: "mono" }, [d.lastErrorCode || "-"]),
      h("td", {}, [fmtMs(d.lastDurationMs)]),
    ],
  );
}

export async function loadDeliveries(): Promise<void> {
  // Loads can overlap (reset, then apply); only the latest one may draw the table.
  const load = ++state.loads;
  const table = $("#deliveries");
  table.setAttribute("aria-busy", "true");
  const params = { limit: String(PAGE_SIZE), cursor: state.cursor, ...state.filter };
  let page: DeliveryPage;
  try {
    page = await api<DeliveryPage>(`api/deliveries${query(params)}`);
  } finally {
    if (load === state.loads) table.setAttribute("aria-busy", "false");
  }
  if (load !== state.loads) return;
  state.nextCursor = page.nextCursor;
  const tbody = clear($("#deliveries tbody"));
  if (page.items.length === 0)
    tbody.appendChild(h("tr", {}, [h("td", { colspan: 9, class: "empty" }, ["No deliveries match."])]));
  for (const d of page.items) tbody.appendChild(deliveryRow(d));
  $<HTMLButtonElement>("#older").disabled = !page.nextCursor;
  $<HTMLButtonElement>("#newer").disabled = state.previous.length === 0;
  $("#page-info").textContent = `page ${state.previous.length + 1}`;
}

function firstPage(filter: Record<string, string>): void {
  state.filter = filter;
  state.cursor = null;
  state.previous = [];
}

export function wireDeliveries(): void {
  const form = $<HTMLFormElement>("#filters");
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    clearError();
    firstPage(readFilters());
    loadDeliveries().catch(report);
  });
  form.addEventListener("reset", () => {
    firstPage({});
    setTimeout(() => loadDeliveries().catch(report), 0);
  });
  $("#older").addEventListener("click", () => {
    state.previous.push(state.cursor);
    state.cursor = state.nextCursor;
    loadDeliveries().catch(report);
  });
  $("#newer").addEventListener("click", () => {
    state.cursor = state.previous.pop() || null;
    loadDeliveries().catch(report);
  });
}
