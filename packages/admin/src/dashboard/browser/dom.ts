/**
 * DOM and formatting helpers. Untrusted text (bodies, headers, subjects) only ever reaches the
 * page as text nodes or attribute values, never as HTML.
 */

const SVG_NS = "http://www.w3.org/2000/svg";

export const STATUS_COLORS: Readonly<Record<string, string>> = {
  succeeded: "#1a7f37",
  failed: "#cf222e",
  pending: "#9a6700",
  sending: "#0969da",
  cancelled: "#6e7781",
};

/** null, undefined and false are skipped, so optional parts can be written inline. */
export type Child = Node | string | number | null | undefined | false;

/** An `on…` key takes a listener; true is an empty attribute; null, undefined and false are left out. */
export type Attrs = Readonly<
  Record<string, string | number | boolean | null | undefined | ((ev: Event) => void)>
>;

/** The element the page is known to hold; a missing one is a broken page, not a case to handle. */
export function $<T extends Element = HTMLElement>(sel: string, root: ParentNode = document): T {
  const el = root.querySelector<T>(sel);
  if (!el) throw new Error(`dashboard: the page has no ${sel}`);
  return el;
}

export function fill<T extends Node>(el: T, children: readonly Child[] = []): T {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
  }
  return el;
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  children: readonly Child[] = [],
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (typeof v === "function") el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  return fill(el, children);
}

export function svg(
  tag: string,
  attrs: Readonly<Record<string, string | number>> = {},
  children: readonly Child[] = [],
): SVGElement {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return fill(el, children);
}

export function clear<T extends Node>(el: T): T {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

export function fmtTime(iso: string | null | undefined): string {
  return iso ? String(iso).slice(0, 19).replace("T", " ") : "-";
}

export function fmtMs(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? "-" : `${Math.round(ms)} ms`;
}

/** How long ago `iso` was, coarsely ("45 s", "12 min", "3 h 5 min", "2 d 4 h"); "-" for none. */
export function fmtAge(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return "-";
  const s = Math.max(0, Math.floor((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min`;
  const hours = Math.floor(min / 60);
  if (hours < 24) return `${hours} h ${min % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

export function fmtRate(r: number | null | undefined): string {
  return r === null || r === undefined ? "-" : `${(r * 100).toFixed(1)} %`;
}

export function badge(status: string): HTMLSpanElement {
  return h("span", { class: `badge badge-${status}` }, [status]);
}
