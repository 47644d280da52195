/** Browser code, part 5: start-up and wiring. */
// biome-ignore lint/complexity/noUselessStringRaw: browser code must stay verbatim if it ever gains a backslash
export const CLIENT_MAIN = String.raw`
async function refresh() {
  clearError();
  await Promise.all([loadCharts(), loadEndpoints(), loadDeliveries()]);
}

async function start() {
  $('#auth').hidden = true;
  $('#app').hidden = false;
  state.meta = await api('api');
  fillFilters(state.meta);
  await refresh();
  document.body.setAttribute('data-ready', 'true');
}

function main() {
  takeTokenFromHash();
  wireTables();
  $('#range').addEventListener('change', function () { loadCharts().catch(report); });
  $('#auth').addEventListener('submit', function (ev) {
    ev.preventDefault();
    setToken($('#auth-token').value.trim());
    start().catch(report);
  });
  document.addEventListener('keydown', function (ev) { if (ev.key === 'Escape') closeDetail(); });
  start().catch(report);
}

main();
`;
