/** Browser code, part 2: SVG charts from GET /api/timeline (volume by status, latency p50/p95). */
// biome-ignore lint/complexity/noUselessStringRaw: browser code must stay verbatim if it ever gains a backslash
export const CLIENT_CHARTS = String.raw`
var CHART = { w: 520, h: 210, left: 46, right: 10, top: 12, bottom: 24 };
var VOLUME_ORDER = ['succeeded', 'failed', 'pending', 'sending', 'cancelled'];

function bucketLabel(iso, spanMs) {
  var t = fmtTime(iso);
  return spanMs > 2 * 86400000 ? t.slice(5, 10) : t.slice(11, 16);
}

function axes(root, maxY, label, buckets, spanMs) {
  var x0 = CHART.left, y0 = CHART.h - CHART.bottom, x1 = CHART.w - CHART.right;
  root.appendChild(svg('line', { class: 'axis', x1: x0, y1: y0, x2: x1, y2: y0 }));
  root.appendChild(svg('line', { class: 'axis', x1: x0, y1: CHART.top, x2: x0, y2: y0 }));
  root.appendChild(svg('text', { x: x0 - 4, y: CHART.top + 8, 'text-anchor': 'end' }, [label]));
  root.appendChild(svg('text', { x: x0 - 4, y: y0, 'text-anchor': 'end' }, ['0']));
  var n = buckets.length;
  [0, Math.floor(n / 2), n - 1].forEach(function (i) {
    if (!buckets[i]) return;
    var x = x0 + (i + 0.5) * (x1 - x0) / n;
    root.appendChild(svg('text', { x: x, y: y0 + 14, 'text-anchor': 'middle' }, [bucketLabel(buckets[i].start, spanMs)]));
  });
}

function legend(el, items) {
  fill(clear(el), items.map(function (it) {
    var swatch = h('i');
    swatch.style.background = it.color; // CSSOM, which the CSP allows (style attributes it would not)
    return h('span', {}, [swatch, it.label]);
  }));
}

function niceMax(v) {
  if (v <= 0) return 1;
  var p = Math.pow(10, Math.floor(Math.log10(v)));
  var steps = [1, 2, 5, 10];
  for (var i = 0; i < steps.length; i++) if (steps[i] * p >= v) return steps[i] * p;
  return 10 * p;
}

function volumeChart(el, data) {
  var buckets = data.buckets, n = buckets.length || 1;
  var spanMs = Date.parse(data.until) - Date.parse(data.since);
  var totals = buckets.map(function (b) { return VOLUME_ORDER.reduce(function (s, k) { return s + (b.counts[k] || 0); }, 0); });
  var maxY = niceMax(Math.max.apply(null, totals.concat([0])));
  var root = svg('svg', { viewBox: '0 0 ' + CHART.w + ' ' + CHART.h, role: 'img', 'aria-label': 'deliveries per bucket by status' });
  var plotW = CHART.w - CHART.left - CHART.right, plotH = CHART.h - CHART.top - CHART.bottom;
  var barW = Math.max(1, plotW / n - 2);
  buckets.forEach(function (b, i) {
    var y = CHART.h - CHART.bottom;
    VOLUME_ORDER.forEach(function (status) {
      var c = b.counts[status] || 0;
      if (!c) return;
      var hgt = c / maxY * plotH;
      y -= hgt;
      root.appendChild(svg('rect', {
        class: 'bar bar-' + status, x: CHART.left + i * plotW / n + 1, y: y, width: barW, height: hgt, fill: STATUS_COLORS[status],
      }, [svg('title', {}, [fmtTime(b.start) + ' UTC: ' + c + ' ' + status])]));
    });
  });
  axes(root, maxY, String(maxY), buckets, spanMs);
  fill(clear(el), [root]);
  legend($('#legend-volume'), VOLUME_ORDER.map(function (s) { return { label: s, color: STATUS_COLORS[s] }; }));
}

function linePath(buckets, key, maxY) {
  var plotW = CHART.w - CHART.left - CHART.right, plotH = CHART.h - CHART.top - CHART.bottom, n = buckets.length || 1;
  var d = '';
  // Buckets without attempts are skipped, not zero: the line joins the measured points.
  buckets.forEach(function (b, i) {
    var v = b[key];
    if (v === null || v === undefined) return;
    var x = CHART.left + (i + 0.5) * plotW / n, y = CHART.h - CHART.bottom - v / maxY * plotH;
    d += (d ? ' L' : 'M') + x.toFixed(1) + ' ' + y.toFixed(1);
  });
  return d.trim();
}

function latencyChart(el, data) {
  var buckets = data.buckets;
  var spanMs = Date.parse(data.until) - Date.parse(data.since);
  var maxY = niceMax(Math.max.apply(null, buckets.map(function (b) { return b.p95Ms || 0; }).concat([0])));
  var root = svg('svg', { viewBox: '0 0 ' + CHART.w + ' ' + CHART.h, role: 'img', 'aria-label': 'attempt latency p50 and p95' });
  [['p95Ms', '#cf222e'], ['p50Ms', '#0969da']].forEach(function (s) {
    var d = linePath(buckets, s[0], maxY);
    if (d) root.appendChild(svg('path', { class: 'line line-' + s[0], d: d, fill: 'none', stroke: s[1], 'stroke-width': 2 }));
    buckets.forEach(function (b, i) {
      if (b[s[0]] === null || b[s[0]] === undefined) return;
      var plotW = CHART.w - CHART.left - CHART.right, plotH = CHART.h - CHART.top - CHART.bottom;
      root.appendChild(svg('circle', {
        cx: CHART.left + (i + 0.5) * plotW / buckets.length, cy: CHART.h - CHART.bottom - b[s[0]] / maxY * plotH, r: 2.5, fill: s[1],
      }, [svg('title', {}, [fmtTime(b.start) + ' UTC: ' + s[0].slice(0, 3) + ' ' + fmtMs(b[s[0]])])]));
    });
  });
  axes(root, maxY, maxY >= 1000 ? maxY / 1000 + ' s' : maxY + ' ms', buckets, spanMs);
  fill(clear(el), [root]);
  legend($('#legend-latency'), [{ label: 'p50', color: '#0969da' }, { label: 'p95', color: '#cf222e' }]);
}

async function loadCharts() {
  var data = await api('api/timeline' + query({ since: $('#range').value, buckets: '48' }));
  volumeChart($('#chart-volume'), data);
  latencyChart($('#chart-latency'), data);
}
`;
