/** Browser code, part 4: one delivery with every attempt, and its replay button. */
// biome-ignore lint/complexity/noUselessStringRaw: browser code must stay verbatim if it ever gains a backslash
export const CLIENT_DETAIL = String.raw`
function fields(pairs) {
  var dl = h('dl');
  pairs.forEach(function (p) { fill(dl, [h('dt', {}, [p[0]]), h('dd', {}, [p[1]])]); });
  return dl;
}

function headerTable(headers) {
  var keys = Object.keys(headers || {});
  if (keys.length === 0) return h('div', { class: 'mono' }, ['(none)']);
  return h('table', { class: 'mono' }, keys.map(function (k) { return h('tr', {}, [h('td', {}, [k]), h('td', {}, [headers[k]])]); }));
}

// Recorded without a webhook-signature header (a signed request keeps it, redacted): sent unsigned.
function isUnsigned(a) {
  var names = Object.keys(a.requestHeaders || {});
  return names.length > 0 && !names.some(function (k) { return k.toLowerCase() === 'webhook-signature'; });
}

function attemptCard(a) {
  var answer = a.responseStatus === null ? 'no response' : 'HTTP ' + a.responseStatus;
  var card = h('div', { class: 'attempt', 'data-attempt': a.attempt }, [
    h('h3', {}, ['Attempt ' + a.attempt + ' · ' + fmtTime(a.startedAt) + ' UTC · ' + answer + ' · ' + a.outcome + ' · ' + fmtMs(a.durationMs)]),
    h('div', { class: 'mono' }, ['POST ' + (a.url || '(not sent)')]),
    isUnsigned(a) ? h('div', { class: 'mono unsigned' }, ['unsigned (no webhook-signature)']) : null,
    h('div', {}, [h('strong', {}, ['Request headers']), ' (secrets redacted)']),
    headerTable(a.requestHeaders),
  ]);
  if (a.responseStatus !== null) {
    fill(card, [
      h('div', {}, [h('strong', {}, ['Response headers'])]),
      headerTable(a.responseHeaders),
      h('div', {}, [h('strong', {}, ['Response body']), a.responseTruncated ? ' (truncated)' : '']),
      h('pre', { class: 'response-body' }, [a.responseBody || '']),
    ]);
  }
  if (a.errorCode) card.appendChild(h('div', { class: 'mono error-line' }, [a.errorCode + (a.errorMessage ? ': ' + a.errorMessage : '')]));
  return card;
}

function prettyBody(body) {
  try { return JSON.stringify(JSON.parse(body), null, 2); } catch (e) { return body; }
}

async function replay(id) {
  var r = await api('api/deliveries/' + encodeURIComponent(id) + '/replay', { method: 'POST', body: {} });
  await showDetail(id, r.requeued ? 'Requeued: a running Hookline worker sends it again (same webhook-id, fresh signature).' : 'Nothing requeued.');
  loadDeliveries().catch(report);
  loadCharts().catch(report);
}

async function showDetail(id, note) {
  var d = await api('api/deliveries/' + encodeURIComponent(id));
  state.selected = id;
  Array.prototype.forEach.call(document.querySelectorAll('#deliveries tbody tr'), function (tr) {
    tr.classList.toggle('selected', tr.getAttribute('data-id') === id);
  });
  var replayable = (state.meta ? state.meta.replayableStatuses : []).indexOf(d.status) >= 0;
  var panel = clear($('#detail'));
  fill(panel, [
    h('h2', {}, ['Delivery ', h('span', { class: 'mono' }, [d.id])]),
    h('div', { class: 'actions' }, [
      badge(d.status),
      h('button', { id: 'replay', type: 'button', disabled: !replayable, title: replayable ? 'Send again' : 'Only succeeded, failed or cancelled deliveries can be replayed',
        onclick: function () { replay(d.id).catch(report); } }, ['Replay']),
      h('button', { id: 'close-detail', type: 'button', class: 'quiet', onclick: closeDetail }, ['Close']),
      note ? h('span', { class: 'note' }, [note]) : null,
    ]),
    fields([
      ['event', d.eventCode], ['webhook-id', d.eventId], ['endpoint', d.endpointId], ['subject', d.subject || '-'],
      ['attempts', String(d.attempts)], ['created', fmtTime(d.createdAt) + ' UTC'], ['updated', fmtTime(d.updatedAt) + ' UTC'],
      ['next attempt', d.nextAttemptAt ? fmtTime(d.nextAttemptAt) + ' UTC' : '-'],
    ]),
    h('strong', {}, ['Event body']),
    h('pre', { class: 'event-body' }, [prettyBody(d.event.body)]),
    h('strong', {}, ['Attempts (' + d.attemptLog.length + ')']),
  ]);
  fill(panel, d.attemptLog.map(attemptCard));
  if (d.attemptLog.length === 0) panel.appendChild(h('div', { class: 'empty' }, ['No attempts yet.']));
  panel.hidden = false;
  document.body.classList.add('detail-open');
}

function closeDetail() {
  $('#detail').hidden = true;
  document.body.classList.remove('detail-open');
}
`;
