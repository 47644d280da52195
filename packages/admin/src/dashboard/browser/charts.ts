/** SVG charts from GET /api/timeline: volume by status, and attempt latency p50/p95. */
import { api, query } from "./api.js";
import type { LatencyKey, Timeline, TimelineBucket } from "./api-types.js";
import { $, clear, fill, fmtMs, fmtTime, h, STATUS_COLORS, svg } from "./dom.js";

const CHART = { w: 520, h: 210, left: 46, right: 10, top: 12, bottom: 24 };
const PLOT_W = CHART.w - CHART.left - CHART.right;
const PLOT_H = CHART.h - CHART.top - CHART.bottom;
const VOLUME_ORDER = ["succeeded", "failed", "pending", "sending", "cancelled"];
const LATENCY_SERIES: readonly { readonly key: LatencyKey; readonly color: string }[] = [
  { key: "p95Ms", color: "#cf222e" },
  { key: "p50Ms", color: "#0969da" },
];

function bucketLabel(iso: string, spanMs: number): string {
  const t = fmtTime(iso);
  return spanMs > 2 * 86400000 ? t.slice(5, 10) : t.slice(11, 16);
}

function axes(root: SVGElement, label: string, buckets: readonly TimelineBucket[], spanMs: number): void {
  const x0 = CHART.left;
  const y0 = CHART.h - CHART.bottom;
  const x1 = CHART.w - CHART.right;
  root.appendChild(svg("line", { class: "axis", x1: x0, y1: y0, x2: x1, y2: y0 }));
  root.appendChild(svg("line", { class: "axis", x1: x0, y1: CHART.top, x2: x0, y2: y0 }));
  root.appendChild(svg("text", { x: x0 - 4, y: CHART.top + 8, "text-anchor": "end" }, [label]));
  root.appendChild(svg("text", { x: x0 - 4, y: y0, "text-anchor": "end" }, ["0"]));
  const n = buckets.length;
  for (const i of [0, Math.floor(n / 2), n - 1]) {
    const b = buckets[i];
    if (!b) continue;
    const x = x0 + ((i + 0.5) * (x1 - x0)) / n;
    root.appendChild(svg("text", { x, y: y0 + 14, "text-anchor": "middle" }, [bucketLabel(b.start, spanMs)]));
  }
}

function legend(el: HTMLElement, items: readonly { label: string; color: string }[]): void {
  fill(
    clear(el),
    items.map((it) => {
      const swatch = h("i");
      swatch.style.background = it.color; // CSSOM, which the CSP allows (style attributes it would not)
      return h("span", {}, [swatch, it.label]);
    }),
  );
}

/** The smallest 1, 2 or 5 times a power of ten that is at least v, so the axis label reads well. */
function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const step of [1, 2, 5, 10]) if (step * p >= v) return step * p;
  return 10 * p;
}

function chartRoot(label: string): SVGElement {
  return svg("svg", { viewBox: `0 0 ${CHART.w} ${CHART.h}`, role: "img", "aria-label": label });
}

function volumeChart(el: HTMLElement, data: Timeline): void {
  const buckets = data.buckets;
  const n = buckets.length || 1;
  const spanMs = Date.parse(data.until) - Date.parse(data.since);
  const totals = buckets.map((b) => VOLUME_ORDER.reduce((s, k) => s + (b.counts[k] || 0), 0));
  const maxY = niceMax(Math.max(...totals, 0));
  const root = chartRoot("deliveries per bucket by status");
  const barW = Math.max(1, PLOT_W / n - 2);
  buckets.forEach((b, i) => {
    let y = CHART.h - CHART.bottom;
    for (const status of VOLUME_ORDER) {
      const c = b.counts[status] || 0;
      if (!c) continue;
      const hgt = (c / maxY) * PLOT_H;
      y -= hgt;
      const attrs = {
        class: `bar bar-${status}`,
        x: CHART.left + (i * PLOT_W) / n + 1,
        y,
        width: barW,
        height: hgt,
      };
      root.appendChild(
        svg("rect", { ...attrs, fill: STATUS_COLORS[status] ?? "" }, [
          svg("title", {}, [`${fmtTime(b.start)} UTC: ${c} ${status}`]),
        ]),
      );
    }
  });
  axes(root, String(maxY), buckets, spanMs);
  fill(clear(el), [root]);
  legend(
    $("#legend-volume"),
    VOLUME_ORDER.map((s) => ({ label: s, color: STATUS_COLORS[s] ?? "" })),
  );
}

function linePath(buckets: readonly TimelineBucket[], key: LatencyKey, maxY: number): string {
  const n = buckets.length || 1;
  let d = "";
  // Buckets without attempts are skipped, not zero: the line joins the measured points.
  buckets.forEach((b, i) => {
    const v = b[key];
    if (v === null || v === undefined) return;
    const x = CHART.left + ((i + 0.5) * PLOT_W) / n;
    const y = CHART.h - CHART.bottom - (v / maxY) * PLOT_H;
    d += `${d ? " L" : "M"}${x.toFixed(1)} ${y.toFixed(1)}`;
  });
  return d.trim();
}

function latencyChart(el: HTMLElement, data: Timeline): void {
  const buckets = data.buckets;
  const spanMs = Date.parse(data.until) - Date.parse(data.since);
  const maxY = niceMax(Math.max(...buckets.map((b) => b.p95Ms || 0), 0));
  const root = chartRoot("attempt latency p50 and p95");
  for (const { key, color } of LATENCY_SERIES) {
    const d = linePath(buckets, key, maxY);
    if (d)
      root.appendChild(
        svg("path", { class: `line line-${key}`, d, fill: "none", stroke: color, "stroke-width": 2 }),
      );
    buckets.forEach((b, i) => {
      const v = b[key];
      if (v === null || v === undefined) return;
      const cx = CHART.left + ((i + 0.5) * PLOT_W) / buckets.length;
      const cy = CHART.h - CHART.bottom - (v / maxY) * PLOT_H;
      root.appendChild(
        svg("circle", { cx, cy, r: 2.5, fill: color }, [
          svg("title", {}, [`${fmtTime(b.start)} UTC: ${key.slice(0, 3)} ${fmtMs(v)}`]),
        ]),
      );
    });
  }
  axes(root, maxY >= 1000 ? `${maxY / 1000} s` : `${maxY} ms`, buckets, spanMs);
  fill(clear(el), [root]);
  legend($("#legend-latency"), [
    { label: "p50", color: "#0969da" },
    { label: "p95", color: "#cf222e" },
  ]);
}

export async function loadCharts(): Promise<void> {
  const range = $<HTMLSelectElement>("#range").value;
  const data = await api<Timeline>(`api/timeline${query({ since: range, buckets: "48" })}`);
  volumeChart($("#chart-volume"), data);
  latencyChart($("#chart-latency"), data);
}
