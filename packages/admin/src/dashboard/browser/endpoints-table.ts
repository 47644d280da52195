/** The endpoints table: state, health, pending and due backlog, and the Disable/Enable switch. */
import { api, report } from "./api.js";
import type { EndpointHealth, EndpointView } from "./api-types.js";
import { circuitCell, controlLines } from "./control.js";
import { loadDeliveries } from "./deliveries-table.js";
import { $, badge, clear, fmtAge, fmtRate, fmtTime, h } from "./dom.js";

async function switchEndpoint(id: string, disabled: boolean): Promise<void> {
  const body: { reason?: string } = {};
  if (disabled) {
    const reason = prompt(`Why disable ${id}? Its pending deliveries are cancelled (they stay replayable).`);
    if (!reason) return;
    body.reason = reason;
  }
  const action = disabled ? "/disable" : "/enable";
  await api(`api/endpoints/${encodeURIComponent(id)}${action}`, { method: "POST", body });
  await Promise.all([loadEndpoints(), loadDeliveries()]);
}

// Not in config + pending: deliveries that wait for a process that configures the endpoint.
function backlogCell(hl: Partial<EndpointHealth>): HTMLTableCellElement {
  const cell = h("td", {}, [String(hl.pending || 0)]);
  if (hl.pending) cell.appendChild(h("div", { class: "mono" }, [`since ${fmtTime(hl.oldestPendingAt)}`]));
  return cell;
}

function switchButton(e: EndpointView): HTMLButtonElement {
  const enable = e.disabled;
  return h(
    "button",
    {
      type: "button",
      class: enable ? "quiet" : "danger",
      "data-endpoint": e.id,
      onclick: () => switchEndpoint(e.id, !enable).catch(report),
    },
    [enable ? "Enable" : "Disable"],
  );
}

function endpointRow(e: EndpointView): HTMLTableRowElement {
  const hl: Partial<EndpointHealth> = e.health ?? {};
  const stateCell = h("td", { class: "state" }, [badge(e.state)]);
  if (e.disabledReason) stateCell.appendChild(h("div", { class: "mono" }, [e.disabledReason]));
  else if (e.state === "misconfigured" && e.lastErrorCode)
    stateCell.appendChild(h("div", { class: "mono" }, [e.lastErrorCode]));
  else if (e.state === "failing" && hl.failingSince)
    stateCell.appendChild(h("div", { class: "mono" }, [`since ${fmtTime(hl.failingSince)}`]));
  return h("tr", { "data-id": e.id }, [
    h("td", {}, [
      h("strong", {}, [e.id]),
      h("div", { class: "mono" }, [e.url || "(not in config)"]),
      e.destination ? h("div", { class: "mono destination" }, [`destination: ${e.destination}`]) : null,
      e.signed === false ? h("div", { class: "mono unsigned" }, ["unsigned"]) : null,
      ...controlLines(e.control),
    ]),
    stateCell,
    circuitCell(e),
    h("td", {}, [fmtRate(hl.successRate)]),
    h("td", {}, [String(hl.consecutiveFailures || 0)]),
    h("td", {}, [fmtTime(hl.lastSuccessAt)]),
    h("td", {}, [fmtTime(hl.lastFailureAt)]),
    backlogCell(hl),
    // Due work a worker has not picked up yet: a growing wait means workers are missing or behind.
    h("td", { class: "due" }, [String(e.due)]),
    h(
      "td",
      { class: "oldest-due", title: e.oldestDueAt ? `due since ${fmtTime(e.oldestDueAt)} UTC` : null },
      [fmtAge(e.oldestDueAt)],
    ),
    h("td", {}, [e.configured ? switchButton(e) : ""]),
  ]);
}

export async function loadEndpoints(): Promise<void> {
  const views = await api<readonly EndpointView[]>("api/endpoints");
  const tbody = clear($("#endpoints tbody"));
  if (views.length === 0)
    tbody.appendChild(
      h("tr", {}, [h("td", { colspan: 11, class: "empty" }, ["No endpoints configured or seen yet."])]),
    );
  for (const e of views) tbody.appendChild(endpointRow(e));
}
