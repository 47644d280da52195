/**
 * Browser code, part 1: DOM and formatting helpers, the token, and the API client. Served as
 * plain ES2020 (no build step). Untrusted text (bodies, headers, subjects) only ever reaches
 * the page through textContent, never as HTML.
 */
// biome-ignore lint/complexity/noUselessStringRaw: browser code must stay verbatim if it ever gains a backslash
export const CLIENT_CORE = String.raw`
var TOKEN_KEY = 'hookline-admin-token';
var SVG_NS = 'http://www.w3.org/2000/svg';
var STATUS_COLORS = { succeeded: '#1a7f37', failed: '#cf222e', pending: '#9a6700', sending: '#0969da', cancelled: '#6e7781' };

function $(sel, root) { return (root || document).querySelector(sel); }

function fill(el, children) {
  (children || []).forEach(function (c) {
    if (c === null || c === undefined || c === false) return;
    el.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  });
  return el;
}

function h(tag, attrs, children) {
  var el = document.createElement(tag);
  Object.keys(attrs || {}).forEach(function (k) {
    var v = attrs[k];
    if (v === null || v === undefined || v === false) return;
    if (k.slice(0, 2) === 'on') el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  });
  return fill(el, children);
}

function svg(tag, attrs, children) {
  var el = document.createElementNS(SVG_NS, tag);
  Object.keys(attrs || {}).forEach(function (k) { el.setAttribute(k, String(attrs[k])); });
  return fill(el, children);
}

function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); return el; }

function fmtTime(iso) { return iso ? String(iso).slice(0, 19).replace('T', ' ') : '-'; }
function fmtMs(ms) { return ms === null || ms === undefined ? '-' : Math.round(ms) + ' ms'; }
function fmtRate(r) { return r === null || r === undefined ? '-' : (r * 100).toFixed(1) + ' %'; }
function badge(status) { return h('span', { class: 'badge badge-' + status }, [status]); }

function getToken() { try { return sessionStorage.getItem(TOKEN_KEY); } catch (e) { return null; } }
function setToken(t) { try { sessionStorage.setItem(TOKEN_KEY, t); } catch (e) { /* private mode */ } }

// A link such as /#token=... signs in once; the fragment never reaches the server or its logs.
function takeTokenFromHash() {
  var m = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (!m) return;
  setToken(decodeURIComponent(m[1]));
  history.replaceState(null, '', location.pathname + location.search);
}

function showError(err) {
  var el = $('#error');
  el.textContent = err && err.message ? err.message : String(err);
  el.hidden = false;
}
function clearError() { $('#error').hidden = true; }

function showAuth(message) {
  $('#auth').hidden = false;
  $('#app').hidden = true;
  $('#auth-message').textContent = message || 'This admin API needs its bearer token.';
}

function Unauthorized(message) { this.message = message; }

async function api(path, opts) {
  opts = opts || {};
  var headers = { accept: 'application/json' };
  var token = getToken();
  if (token) headers.authorization = 'Bearer ' + token;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  var res = await fetch(path, {
    method: opts.method || 'GET',
    headers: headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  var data = await res.json().catch(function () { return null; });
  var err = data && data.error;
  if (res.status === 401) { showAuth(err ? err.message : ''); throw new Unauthorized(err ? err.message : 'unauthorized'); }
  if (!res.ok) throw new Error(err ? err.code + ': ' + err.message : 'HTTP ' + res.status);
  return data;
}

function query(params) {
  var q = new URLSearchParams();
  Object.keys(params).forEach(function (k) { if (params[k]) q.set(k, params[k]); });
  var s = q.toString();
  return s ? '?' + s : '';
}

function report(err) { if (!(err instanceof Unauthorized)) showError(err); }
`;
