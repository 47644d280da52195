/**
 * The dashboard's entry module, served as assets/dashboard.js: signs in, loads everything and
 * wires the controls. Compiled by the package build to plain ES modules that the admin serves.
 */
import { api, clearError, report, setToken, takeTokenFromHash } from "./api.js";
import type { Meta } from "./api-types.js";
import { loadCharts } from "./charts.js";
import { fillFilters, loadDeliveries, wireDeliveries } from "./deliveries-table.js";
import { closeDetail } from "./detail.js";
import { $ } from "./dom.js";
import { loadEndpoints } from "./endpoints-table.js";
import { state } from "./state.js";

async function refresh(): Promise<void> {
  clearError();
  await Promise.all([loadCharts(), loadEndpoints(), loadDeliveries()]);
}

async function start(): Promise<void> {
  $("#auth").hidden = true;
  $("#app").hidden = false;
  state.meta = await api<Meta>("api");
  fillFilters(state.meta);
  await refresh();
  document.body.setAttribute("data-ready", "true");
}

function main(): void {
  takeTokenFromHash();
  wireDeliveries();
  $("#range").addEventListener("change", () => loadCharts().catch(report));
  $("#auth").addEventListener("submit", (ev) => {
    ev.preventDefault();
    setToken($<HTMLInputElement>("#auth-token").value.trim());
    start().catch(report);
  });
  document.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape") closeDetail();
  });
  start().catch(report);
}

main();
