/** Browser code, part 3: the endpoints table and the filtered, paged deliveries table. */
// biome-ignore lint/complexity/noUselessStringRaw: browser code must stay verbatim if it ever gains a backslash
export const CLIENT_TABLES = String.raw`
var PAGE_SIZE = 25;
var state = { meta: null, filter: {}, cursor: null, previous: [], nextCursor: null, selected: null, loads: 0 };

function options(select, values) {
  values.forEach(function (v) { select.appendChild(h('option', { value: v }, [v])); });
}

function fillFilters(meta) {
  var form = $('#filters');
  options(form.elements.status, meta.statuses);
  options(form.elements.event, meta.eventCodes);
  options(form.elements.endpoint, meta.endpoints);
}

async function switchEndpoint(id, disabled) {
  var body = {};
  if (disabled) {
    var reason = prompt('Why disable ' + id + '? Its pending deliveries are cancelled (they stay replayable).');
    if (!reason) return;
    body.reason = reason;
  }
  await api('api/endpoints/' + encodeURIComponent(id) + (disabled ? '/disable' : '/enable'), { method: 'POST', body: body });
  await Promise.all([loadEndpoints(), loadDeliveries()]);
}

// Not in config + pending: deliveries that wait for a process that configures the endpoint.
function backlogCell(hl) {
  var cell = h('td', {}, [String(hl.pending || 0)]);
  if (hl.pending) cell.appendChild(h('div', { class: 'mono' }, ['since ' + fmtTime(hl.oldestPendingAt)]));
  return cell;
}

async function loadEndpoints() {
  var views = await api('api/endpoints');
  var tbody = clear($('#endpoints tbody'));
  if (views.length === 0) tbody.appendChild(h('tr', {}, [h('td', { colspan: 8, class: 'empty' }, ['No endpoints configured or seen yet.'])]));
  views.forEach(function (e) {
    var hl = e.health || {};
    var stateCell = h('td', {}, [badge(e.state)]);
    if (e.disabledReason) stateCell.appendChild(h('div', { class: 'mono' }, [e.disabledReason]));
    else if (e.state === 'failing' && hl.failingSince) stateCell.appendChild(h('div', { class: 'mono' }, ['since ' + fmtTime(hl.failingSince)]));
    var action = e.disabled
      ? h('button', { type: 'button', class: 'quiet', 'data-endpoint': e.id, onclick: function () { switchEndpoint(e.id, false).catch(report); } }, ['Enable'])
      : h('button', { type: 'button', class: 'danger', 'data-endpoint': e.id, onclick: function () { switchEndpoint(e.id, true).catch(report); } }, ['Disable']);
    tbody.appendChild(h('tr', { 'data-id': e.id }, [
      h('td', {}, [h('strong', {}, [e.id]), h('div', { class: 'mono' }, [e.url || '(not in config)']),
        e.signed === false ? h('div', { class: 'mono unsigned' }, ['unsigned']) : null]),
      stateCell,
      h('td', {}, [fmtRate(hl.successRate)]),
      h('td', {}, [String(hl.consecutiveFailures || 0)]),
      h('td', {}, [fmtTime(hl.lastSuccessAt)]),
      h('td', {}, [fmtTime(hl.lastFailureAt)]),
      backlogCell(hl),
      h('td', {}, [e.configured ? action : '']),
    ]));
  });
}

function readFilters() {
  var f = new FormData($('#filters'));
  var out = {};
  ['status', 'event', 'endpoint', 'subject', 'since', 'until'].forEach(function (k) {
    var v = String(f.get(k) || '').trim();
    if (v) out[k] = v;
  });
  return out;
}

async function loadDeliveries() {
  // Loads can overlap (reset, then apply); only the latest one may draw the table.
  var load = ++state.loads;
  var table = $('#deliveries');
  table.setAttribute('aria-busy', 'true');
  var params = Object.assign({ limit: String(PAGE_SIZE), cursor: state.cursor }, state.filter);
  var page;
  try {
    page = await api('api/deliveries' + query(params));
  } finally {
    if (load === state.loads) table.setAttribute('aria-busy', 'false');
  }
  if (load !== state.loads) return;
  state.nextCursor = page.nextCursor;
  var tbody = clear($('#deliveries tbody'));
  if (page.items.length === 0) tbody.appendChild(h('tr', {}, [h('td', { colspan: 9, class: 'empty' }, ['No deliveries match.'])]));
  page.items.forEach(function (d) {
    tbody.appendChild(h('tr', {
      'data-id': d.id, class: d.id === state.selected ? 'selected' : null,
      onclick: function () { showDetail(d.id).catch(report); },
    }, [
      h('td', { class: 'mono' }, [fmtTime(d.createdAt)]),
      h('td', {}, [d.eventCode]),
      h('td', {}, [d.endpointId]),
      h('td', {}, [d.subject || '-']),
      h('td', {}, [badge(d.status)]),
      h('td', {}, [String(d.attempts)]),
      h('td', {}, [d.lastStatus === null ? '-' : String(d.lastStatus)]),
      h('td', { class: 'mono' }, [d.lastErrorCode || '-']),
      h('td', {}, [fmtMs(d.lastDurationMs)]),
    ]));
  });
  $('#older').disabled = !page.nextCursor;
  $('#newer').disabled = state.previous.length === 0;
  $('#page-info').textContent = 'page ' + (state.previous.length + 1);
}

function wireTables() {
  $('#filters').addEventListener('submit', function (ev) {
    ev.preventDefault();
    clearError();
    state.filter = readFilters();
    state.cursor = null;
    state.previous = [];
    loadDeliveries().catch(report);
  });
  $('#filters').addEventListener('reset', function () {
    state.filter = {};
    state.cursor = null;
    state.previous = [];
    setTimeout(function () { loadDeliveries().catch(report); }, 0);
  });
  $('#older').addEventListener('click', function () {
    state.previous.push(state.cursor);
    state.cursor = state.nextCursor;
    loadDeliveries().catch(report);
  });
  $('#newer').addEventListener('click', function () {
    state.cursor = state.previous.pop() || null;
    loadDeliveries().catch(report);
  });
}
`;
